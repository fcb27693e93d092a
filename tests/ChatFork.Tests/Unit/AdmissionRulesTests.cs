using System.Net;
using ChatFork.Supervisor;
using NUnit.Framework;

namespace ChatFork.Tests.Unit;

/// <summary>The limits every model applies to a new connection (WorkerRegistry.Admit and the lab's SessionRegistry).</summary>
public sealed class AdmissionRulesTests
{
    private static readonly IPAddress s_one = IPAddress.Parse("127.0.0.2");
    private static readonly IPAddress s_other = IPAddress.Parse("127.0.0.3");

    [Test]
    public void A_connection_is_let_in_while_every_limit_has_room()
    {
        var rules = Rules(maxClients: 3, maxPerAddress: 2);
        Assert.That(rules.Check(closed: false, connections: 0, s_one), Is.Null);
        rules.Count(s_one);
        Assert.That(rules.Check(closed: false, connections: 1, s_one), Is.Null);
    }

    [Test]
    public void One_address_is_held_to_its_limit_while_another_still_gets_in_and_a_release_frees_a_place()
    {
        var rules = Rules(maxClients: 10, maxPerAddress: 2);
        rules.Count(s_one);
        rules.Count(s_one);

        Assert.That(rules.Check(closed: false, connections: 2, s_one), Is.EqualTo(Refusal.TooManyFromAddress));
        Assert.That(rules.Check(closed: false, connections: 2, s_other), Is.Null);

        rules.Release(s_one);
        Assert.That(rules.Check(closed: false, connections: 1, s_one), Is.Null);
    }

    [Test]
    public void A_full_server_refuses_before_the_address_limit_is_looked_at()
    {
        var rules = Rules(maxClients: 2, maxPerAddress: 1);
        rules.Count(s_one);
        Assert.That(rules.Check(closed: false, connections: 2, s_one), Is.EqualTo(Refusal.ServerFull));
        Assert.That(rules.Check(closed: false, connections: 2, s_other), Is.EqualTo(Refusal.ServerFull));
    }

    [Test]
    public void Nobody_gets_in_during_shutdown_even_with_every_limit_free()
    {
        var rules = Rules(maxClients: 2, maxPerAddress: 2);
        Assert.That(rules.Check(closed: true, connections: 0, s_one), Is.EqualTo(Refusal.ShuttingDown));
    }

    private static AdmissionRules Rules(int maxClients, int maxPerAddress) =>
        new(ServerSettings.From(new SupervisorOptions { MaxClients = maxClients, MaxClientsPerIp = maxPerAddress }));
}
