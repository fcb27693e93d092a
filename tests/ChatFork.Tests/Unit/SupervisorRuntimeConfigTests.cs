using System.Text.Json;
using ChatFork.Tests.Support;
using NUnit.Framework;

namespace ChatFork.Tests.Unit;

/// <summary>
/// The runtime settings chatfork's project file gives its thread pool (chatfork.runtimeconfig.json beside the
/// supervisor the tests run), read as the runtime reads them.
/// </summary>
[TestFixture]
public sealed class SupervisorRuntimeConfigTests
{
    private static JsonElement ConfigProperties()
    {
        var path = Path.Combine(TestTarget.Directory, "chatfork.runtimeconfig.json");
        using var document = JsonDocument.Parse(File.ReadAllText(path));
        return document.RootElement.GetProperty("runtimeOptions").GetProperty("configProperties").Clone();
    }

    [Test]
    public void Pool_threads_block_when_out_of_work_instead_of_spinning_for_it()
    {
        // docs/performance.md, "Thread-pool spinning": on two cores the spin took the CPU the workers needed.
        Assert.That(ConfigProperties().GetProperty("System.Threading.ThreadPool.UnfairSemaphoreSpinLimit").GetInt32(), Is.Zero);
    }

    [Test]
    public void Pool_threads_never_retire_so_none_is_made_again_under_load()
    {
        Assert.That(ConfigProperties().GetProperty("System.Threading.ThreadPool.ThreadTimeoutMs").GetInt32(), Is.EqualTo(-1));
    }
}
