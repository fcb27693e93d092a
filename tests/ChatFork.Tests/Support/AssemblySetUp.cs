using NUnit.Framework;

namespace ChatFork.Tests.Support;

/// <summary>Checks, once, what every integration test relies on, and fails with a message that says what to do.</summary>
[SetUpFixture]
public sealed class AssemblySetUp
{
    [OneTimeSetUp]
    public void CheckTheMachine()
    {
        if (!OperatingSystem.IsLinux())
        {
            Assert.Ignore("ChatFork's tests observe processes through /proc and run on Linux only (the Windows build runs under Wine).");
        }

        TestContext.Progress.WriteLine($"ChatFork tests against {TestTarget.Name}");
        if (TestTarget.IsWine)
        {
            foreach (var path in new[] { ServerProcess.SupervisorPath, ServerProcess.WorkerPath, ServerProcess.RogueWorkerPath })
            {
                if (!File.Exists(path))
                {
                    Assert.Fail($"{path} is missing. {TestTarget.WineVariable} names a folder made by " +
                                "'dotnet publish src/Supervisor -c Release -r win-x64 -o DIR' and " +
                                "'dotnet publish tests/ChatFork.RogueWorker -c Release -r win-x64 --self-contained -o DIR' (.ci/run does both).");
                }
            }

            return;
        }

        foreach (var path in new[] { ServerProcess.SupervisorPath, ServerProcess.WorkerPath })
        {
            if (!File.Exists(path))
            {
                Assert.Fail($"{path} is missing. The test project references src/Supervisor and src/Worker so that " +
                            "'dotnet test' builds both next to the tests; build the solution and try again.");
            }
        }
    }
}
