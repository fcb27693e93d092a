using ChatFork.Supervisor;
using ChatFork.Supervisor.ProcessModel;
using ChatFork.Tests.Unit.Fakes;
using NUnit.Framework;

namespace ChatFork.Tests.Unit;

/// <summary>The registry's bookkeeping, without processes: admission, the queue, and what TryReserveSpawn answers.</summary>
[TestFixture]
public sealed class WorkerRegistryTests
{
    private readonly ManualTime _time = new();
    private Slots _slots = null!;

    [SetUp]
    public void SetUp() => _slots = new Slots();

    [TearDown]
    public void TearDown() => _slots.Dispose();

    [Test]
    public void A_connection_goes_to_an_idle_worker_when_there_is_one()
    {
        var registry = Registry(prespawn: 1);
        var slot = StartAndAttach(registry);

        var result = registry.Admit(_slots.NewConnection("127.0.0.1", _time));

        Assert.That(result.Outcome, Is.EqualTo(AdmitOutcome.Assigned));
        Assert.That(result.Worker, Is.SameAs(slot));
        Assert.That(slot.Life.State, Is.EqualTo(WorkerState.Busy));
        Assert.That(registry.IdleCount, Is.Zero);
    }

    [Test]
    public void Without_an_idle_worker_a_connection_waits_and_the_next_worker_to_attach_takes_it()
    {
        var registry = Registry(prespawn: 0);
        var connection = _slots.NewConnection("127.0.0.1", _time);

        Assert.That(registry.Admit(connection).Outcome, Is.EqualTo(AdmitOutcome.Queued));
        Assert.That(registry.TryReserveSpawn(), Is.True, "a waiting connection with no worker on the way asks for one");
        Assert.That(registry.TryReserveSpawn(), Is.False, "one worker on the way is enough for one connection");

        var slot = _slots.NewSlot();
        registry.Started(slot);
        Assert.That(registry.Attached(slot), Is.SameAs(connection));
        Assert.That(slot.Life.Connection, Is.SameAs(connection));
    }

    [Test]
    public void The_pool_is_filled_to_prespawn_and_no_further()
    {
        var registry = Registry(prespawn: 3, maxClients: 10);
        var reserved = 0;
        while (registry.TryReserveSpawn() && reserved < 100)
        {
            reserved++;
        }

        Assert.That(reserved, Is.EqualTo(3));
    }

    [Test]
    public void Spawns_never_exceed_max_clients_however_many_connections_wait()
    {
        var registry = Registry(prespawn: 2, maxClients: 3, perIp: 100);
        for (var i = 0; i < 3; i++)
        {
            Assert.That(registry.Admit(_slots.NewConnection("127.0.0.1", _time)).Outcome, Is.EqualTo(AdmitOutcome.Queued));
        }

        var reserved = 0;
        while (registry.TryReserveSpawn() && reserved < 100)
        {
            reserved++;
        }

        Assert.That(reserved, Is.EqualTo(3), "three processes at most, pooled ones included");
        Assert.That(registry.Admit(_slots.NewConnection("127.0.0.1", _time)).Refusal, Is.EqualTo(Refusal.ServerFull));
    }

    [Test]
    public void A_connection_past_max_clients_is_refused_as_server_full()
    {
        var registry = Registry(prespawn: 0, maxClients: 1);
        registry.Admit(_slots.NewConnection("127.0.0.1", _time));

        var result = registry.Admit(_slots.NewConnection("127.0.0.2", _time));

        Assert.That(result.Outcome, Is.EqualTo(AdmitOutcome.Refused));
        Assert.That(result.Refusal, Is.EqualTo(Refusal.ServerFull));
    }

    [Test]
    public void One_address_may_hold_only_max_clients_per_ip_and_its_count_falls_when_a_worker_is_reaped()
    {
        var registry = Registry(prespawn: 2, maxClients: 10, perIp: 1);
        var first = StartAndAttach(registry);
        StartAndAttach(registry);

        Assert.That(registry.Admit(_slots.NewConnection("127.0.0.9", _time)).Outcome, Is.EqualTo(AdmitOutcome.Assigned));
        Assert.That(registry.Admit(_slots.NewConnection("127.0.0.9", _time)).Refusal, Is.EqualTo(Refusal.TooManyFromAddress));
        Assert.That(registry.Admit(_slots.NewConnection("127.0.0.8", _time)).Outcome, Is.EqualTo(AdmitOutcome.Assigned), "another address is not affected");

        Assert.That(registry.Remove(first), Is.EqualTo(WorkerState.Busy));
        registry.Started(ReserveAndStart(registry));
        Assert.That(registry.Admit(_slots.NewConnection("127.0.0.9", _time)).Outcome, Is.Not.EqualTo(AdmitOutcome.Refused));
    }

    [Test]
    public void During_a_backoff_nothing_is_spawned_and_new_connections_are_told_the_server_is_busy()
    {
        var backoff = new SpawnBackoff(_time);
        var registry = Registry(prespawn: 2, backoff: backoff);
        backoff.Failed();

        Assert.That(registry.TryReserveSpawn(), Is.False);
        Assert.That(registry.Admit(_slots.NewConnection("127.0.0.1", _time)).Refusal, Is.EqualTo(Refusal.Busy));

        _time.Advance(SpawnBackoff.First);
        Assert.That(registry.TryReserveSpawn(), Is.True);
    }

    [Test]
    public void Connections_that_waited_longer_than_the_queue_timeout_are_taken_oldest_first()
    {
        var registry = Registry(prespawn: 0, perIp: 10);
        var old = _slots.NewConnection("127.0.0.1", _time);
        registry.Admit(old);
        _time.Advance(TimeSpan.FromSeconds(20));
        var young = _slots.NewConnection("127.0.0.1", _time);
        registry.Admit(young);
        _time.Advance(TimeSpan.FromSeconds(15));

        var expired = registry.TakeExpiredPending(TimeSpan.FromSeconds(30));

        Assert.That(expired, Is.EqualTo(new[] { old }));
        Assert.That(registry.TakeAllPending(), Is.EqualTo(new[] { young }));
    }

    [Test]
    public void A_reaped_worker_frees_its_slot_once_and_a_second_report_is_recognised()
    {
        var registry = Registry(prespawn: 1);
        var slot = StartAndAttach(registry);

        Assert.That(registry.Remove(slot), Is.EqualTo(WorkerState.Idle));
        Assert.That(registry.ProcessCount, Is.Zero);
        Assert.That(registry.Remove(slot), Is.EqualTo(WorkerState.Exited));
        Assert.That(registry.TryReserveSpawn(), Is.True, "the pool is one short again");
    }

    [Test]
    public void In_shutdown_nothing_is_admitted_or_spawned_and_waiting_connections_are_handed_back()
    {
        var registry = Registry(prespawn: 0);
        var waiting = _slots.NewConnection("127.0.0.1", _time);
        registry.Admit(waiting);

        var (_, pending) = registry.BeginShutdown();

        Assert.That(pending, Is.EqualTo(new[] { waiting }));
        Assert.That(registry.TryReserveSpawn(), Is.False);
        Assert.That(registry.Admit(_slots.NewConnection("127.0.0.1", _time)).Refusal, Is.EqualTo(Refusal.ShuttingDown));
    }

    [Test]
    public void A_recycled_worker_goes_back_to_the_pool_and_its_clients_address_is_released()
    {
        var registry = Registry(prespawn: 1, perIp: 1, workerReuse: 5);
        var slot = StartAndAttach(registry);
        var first = _slots.NewConnection("127.0.0.9", _time);
        Assert.That(registry.Admit(first).Worker, Is.SameAs(slot));
        var session = slot.Member;
        Assert.That(session.Id, Is.EqualTo(first.Id));
        Assert.That(registry.Admit(_slots.NewConnection("127.0.0.9", _time)).Refusal, Is.EqualTo(Refusal.TooManyFromAddress));

        LeaveCleanly(slot);
        var result = registry.Recycled(slot);

        Assert.That(result.Outcome, Is.EqualTo(RecycleOutcome.Pooled));
        Assert.That(result.Served, Is.SameAs(first));
        Assert.That(slot.Life.State, Is.EqualTo(WorkerState.Idle));
        Assert.That(slot.Life.Connection, Is.Null);
        Assert.That(registry.IdleCount, Is.EqualTo(1));

        var second = _slots.NewConnection("127.0.0.9", _time);
        var again = registry.Admit(second);
        Assert.That(again.Worker, Is.SameAs(slot), "the same process serves the next client");
        Assert.That(slot.Life.Uses, Is.EqualTo(2));
        Assert.That(slot.Member, Is.Not.SameAs(session), "each client is a room member of its own");
        Assert.That(slot.Member.Id, Is.EqualTo(second.Id));
        Assert.That(session.Id, Is.EqualTo(first.Id), "the old member still names the old client");
    }

    [Test]
    public void A_recycled_worker_takes_the_oldest_waiting_connection_at_once()
    {
        var registry = Registry(prespawn: 0, perIp: 10, workerReuse: 5);
        var first = _slots.NewConnection("127.0.0.1", _time);
        registry.Admit(first);
        var slot = ReserveAndStart(registry);
        registry.Started(slot);
        Assert.That(registry.Attached(slot), Is.SameAs(first));
        var waiting = _slots.NewConnection("127.0.0.1", _time);
        Assert.That(registry.Admit(waiting).Outcome, Is.EqualTo(AdmitOutcome.Queued));

        LeaveCleanly(slot);
        var result = registry.Recycled(slot);

        Assert.That(result.Outcome, Is.EqualTo(RecycleOutcome.Reassigned));
        Assert.That(result.Next, Is.SameAs(waiting));
        Assert.That(slot.Life.State, Is.EqualTo(WorkerState.Busy));
        Assert.That(slot.Life.Connection, Is.SameAs(waiting));
        Assert.That(registry.TakeAllPending(), Is.Empty);
    }

    [Test]
    public void A_worker_at_its_last_use_retires_even_when_a_connection_waits_and_one_is_started_for_it()
    {
        var registry = Registry(prespawn: 0, perIp: 10, maxClients: 2, workerReuse: 2);
        var slot = ServeInTurn(registry, uses: 2);
        var waiting = _slots.NewConnection("127.0.0.1", _time);
        Assert.That(registry.Admit(waiting).Outcome, Is.EqualTo(AdmitOutcome.Queued));

        LeaveCleanly(slot);
        var result = registry.Recycled(slot);

        Assert.That(result.Outcome, Is.EqualTo(RecycleOutcome.Retired));
        Assert.That(result.Why, Does.Contain("--worker-reuse 2"));
        Assert.That(slot.Life.State, Is.EqualTo(WorkerState.Retiring));
        Assert.That(registry.TryReserveSpawn(), Is.True, "the waiting connection needs a fresh worker");
        Assert.That(registry.TryReserveSpawn(), Is.False, "a retiring worker still counts against --max-clients until it is reaped");

        Assert.That(registry.Remove(slot), Is.EqualTo(WorkerState.Retiring));
        Assert.That(registry.ProcessCount, Is.Zero);
    }

    [Test]
    public void A_recycled_worker_retires_when_the_pool_already_holds_twice_prespawn()
    {
        var registry = Registry(prespawn: 1, perIp: 10, workerReuse: 5);
        var first = StartAndAttach(registry);
        registry.Admit(_slots.NewConnection("127.0.0.1", _time));
        var second = StartAndAttach(registry); // the pool refilled while the client was served
        registry.Admit(_slots.NewConnection("127.0.0.1", _time));
        StartAndAttach(registry); // and again
        LeaveCleanly(first);
        LeaveCleanly(second);
        Assert.That(registry.Recycled(first).Outcome, Is.EqualTo(RecycleOutcome.Pooled));
        Assert.That(registry.IdleCount, Is.EqualTo(2));

        var result = registry.Recycled(second);

        Assert.That(result.Outcome, Is.EqualTo(RecycleOutcome.Retired));
        Assert.That(result.Why, Does.Contain("twice --prespawn"));
        Assert.That(registry.IdleCount, Is.EqualTo(2));
    }

    [Test]
    public void A_recycled_worker_is_pooled_beside_the_fresh_one_started_while_it_served()
    {
        var registry = Registry(prespawn: 1, perIp: 10, workerReuse: 5);
        var slot = StartAndAttach(registry);
        registry.Admit(_slots.NewConnection("127.0.0.1", _time));
        StartAndAttach(registry); // the pool refilled while the client was served

        LeaveCleanly(slot);

        Assert.That(registry.Recycled(slot).Outcome, Is.EqualTo(RecycleOutcome.Pooled), "otherwise a sequence of clients would never reuse a worker");
        Assert.That(registry.IdleCount, Is.EqualTo(2));
        Assert.That(registry.TryReserveSpawn(), Is.False);
    }

    [Test]
    public void In_shutdown_a_recycled_worker_retires()
    {
        var registry = Registry(prespawn: 1, workerReuse: 5);
        var slot = StartAndAttach(registry);
        registry.Admit(_slots.NewConnection("127.0.0.1", _time));
        LeaveCleanly(slot);
        registry.BeginShutdown();

        Assert.That(registry.Recycled(slot).Outcome, Is.EqualTo(RecycleOutcome.Retired));
    }

    [Test]
    public void Recycling_a_worker_that_was_reaped_or_is_being_killed_does_nothing()
    {
        var registry = Registry(prespawn: 2, perIp: 10, workerReuse: 5);
        var reaped = StartAndAttach(registry);
        var killed = StartAndAttach(registry);
        registry.Admit(_slots.NewConnection("127.0.0.1", _time));
        registry.Admit(_slots.NewConnection("127.0.0.1", _time));
        LeaveCleanly(reaped);
        LeaveCleanly(killed);

        Assert.That(registry.Remove(reaped), Is.EqualTo(WorkerState.Busy));
        Assert.That(registry.Recycled(reaped).Outcome, Is.EqualTo(RecycleOutcome.Gone));

        killed.Kill("it fell behind");
        Assert.That(registry.Recycled(killed).Outcome, Is.EqualTo(RecycleOutcome.Gone));
        Assert.That(registry.IdleCount, Is.Zero, "neither is pooled");
    }

    [Test]
    public void Dropping_an_earlier_client_of_a_reused_worker_does_not_cut_off_its_current_one()
    {
        var registry = Registry(prespawn: 1, perIp: 10, workerReuse: 5);
        var slot = StartAndAttach(registry);
        registry.Admit(_slots.NewConnection("127.0.0.1", _time));
        var earlier = slot.Member;
        LeaveCleanly(slot);
        registry.Recycled(slot);
        registry.Admit(_slots.NewConnection("127.0.0.1", _time));

        earlier.Drop("a late verdict about the earlier client");
        Assert.That(((FakeWorkerProcess)slot.Process).Kills, Is.Zero);
        slot.Member.Drop("its worker fell behind on the pipe (--worker-queue)");
        Assert.That(((FakeWorkerProcess)slot.Process).Kills, Is.EqualTo(1));
    }

    private static void LeaveCleanly(WorkerSlot slot)
    {
        slot.Life.HandedOff(joined: true);
        Assert.That(slot.Life.SaidReady(), Is.True);
        slot.Life.SaidLeaving(new Protocol.LeavingMessage(Protocol.LeaveReason.ClientClosed, ""));
        Assert.That(slot.Life.SaidRecycled(), Is.True);
    }

    // One worker started for a waiting connection, then given further clients in turn until it has served `uses`.
    private WorkerSlot ServeInTurn(WorkerRegistry registry, int uses)
    {
        registry.Admit(_slots.NewConnection("127.0.0.1", _time));
        var slot = ReserveAndStart(registry);
        registry.Started(slot);
        Assert.That(registry.Attached(slot), Is.Not.Null);
        for (var i = 1; i < uses; i++)
        {
            registry.Admit(_slots.NewConnection("127.0.0.1", _time));
            LeaveCleanly(slot);
            Assert.That(registry.Recycled(slot).Outcome, Is.EqualTo(RecycleOutcome.Reassigned));
        }

        Assert.That(slot.Life.Uses, Is.EqualTo(uses));
        return slot;
    }

    private WorkerRegistry Registry(int prespawn, int maxClients = 8, int perIp = 64, SpawnBackoff? backoff = null, int workerReuse = 0) =>
        new(Settings.With(maxClients: maxClients, perIp: perIp, prespawn: prespawn, workerReuse: workerReuse), backoff ?? new SpawnBackoff(_time), _time);

    private WorkerSlot ReserveAndStart(WorkerRegistry registry)
    {
        Assert.That(registry.TryReserveSpawn(), Is.True, "a spawn should be allowed here");
        return _slots.NewSlot();
    }

    private WorkerSlot StartAndAttach(WorkerRegistry registry)
    {
        var slot = ReserveAndStart(registry);
        registry.Started(slot);
        Assert.That(registry.Attached(slot), Is.Null, "no connection waits, so the worker is pooled");
        return slot;
    }
}
