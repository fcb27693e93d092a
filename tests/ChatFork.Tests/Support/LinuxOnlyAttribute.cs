using NUnit.Framework;
using NUnit.Framework.Interfaces;
using NUnit.Framework.Internal;

namespace ChatFork.Tests.Support;

/// <summary>
/// A test that can only be judged on Linux: it reads /proc (socket ownership by inode, zombies, parent pids), relies
/// on PR_SET_PDEATHSIG or SCM_RIGHTS, or exercises the Linux build itself. It is in the category "LinuxOnly", which
/// the Wine run (.ci/run) leaves out; run under Wine anyway, it is skipped with <paramref name="why"/>.
/// </summary>
[AttributeUsage(AttributeTargets.Method | AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
internal sealed class LinuxOnlyAttribute : CategoryAttribute, IApplyToTest
{
    public const string Category = "LinuxOnly";

    public LinuxOnlyAttribute(string why) : base(Category)
    {
        Why = why;
    }

    public string Why { get; }

    void IApplyToTest.ApplyToTest(Test test)
    {
        ApplyToTest(test);
        if (TestTarget.IsWine && test.RunState != RunState.NotRunnable)
        {
            test.RunState = RunState.Ignored;
            test.Properties.Set(PropertyNames.SkipReason, $"Linux only: {Why}");
        }
    }
}
