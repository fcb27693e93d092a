using System.Net;
using ChatFork.Protocol;
using ChatFork.Supervisor.ProcessModel;
using NUnit.Framework;

namespace ChatFork.Tests.Unit;

[TestFixture]
public sealed class WorkerLifecycleTests
{
    private static readonly PendingConnection s_connection = new(7, null!, new IPEndPoint(IPAddress.Loopback, 4000), 0);

    [Test]
    public void A_pooled_worker_goes_from_starting_to_idle_to_busy()
    {
        var life = new WorkerLifecycle();
        Assert.That(life.State, Is.EqualTo(WorkerState.Starting));

        life.Attach();
        Assert.That(life.State, Is.EqualTo(WorkerState.Idle));

        life.Assign(s_connection);
        Assert.That(life.State, Is.EqualTo(WorkerState.Busy));
        Assert.That(life.Connection, Is.SameAs(s_connection));
    }

    [Test]
    public void A_worker_can_be_given_a_waiting_connection_straight_from_starting()
    {
        var life = new WorkerLifecycle();
        life.Assign(s_connection);
        Assert.That(life.State, Is.EqualTo(WorkerState.Busy));
    }

    [Test]
    public void Ready_counts_only_after_the_hand_off_and_only_once()
    {
        var life = new WorkerLifecycle();
        Assert.That(life.SaidReady(), Is.False, "before any connection");
        life.Assign(s_connection);
        Assert.That(life.SaidReady(), Is.False, "before the socket was handed over");

        life.HandedOff(joined: true);
        Assert.That(life.Joined, Is.True);
        Assert.That(life.SaidReady(), Is.True);
        Assert.That(life.SaidReady(), Is.False, "a second Ready");
    }

    [Test]
    public void Transitions_that_do_not_fit_the_state_are_refused()
    {
        var life = new WorkerLifecycle();
        life.Attach();
        Assert.That(life.Attach, Throws.InvalidOperationException, "attached twice");
        Assert.That(() => life.HandedOff(joined: false), Throws.InvalidOperationException, "a socket for an idle worker");

        life.Assign(s_connection);
        Assert.That(() => life.Assign(s_connection), Throws.InvalidOperationException, "a second connection");
        life.HandedOff(joined: false);
        Assert.That(() => life.HandedOff(joined: false), Throws.InvalidOperationException, "a second hand-off");
    }

    [Test]
    public void The_first_kill_reason_is_kept_with_whether_the_worker_misbehaved()
    {
        var life = new WorkerLifecycle();
        Assert.That(life.Killed("it broke the pipe protocol", misbehaved: true), Is.True);
        Assert.That(life.Killed("the server is shutting down", misbehaved: false), Is.False);

        Assert.That(life.KillReason, Is.EqualTo("it broke the pipe protocol"));
        Assert.That(life.Misbehaved, Is.True);
    }

    [Test]
    public void Exit_reports_the_state_it_left_and_exited_the_second_time()
    {
        var life = new WorkerLifecycle();
        life.Attach();
        life.SaidLeaving(new LeavingMessage(LeaveReason.Quit, "bye"));

        Assert.That(life.Exit(), Is.EqualTo(WorkerState.Idle));
        Assert.That(life.Exit(), Is.EqualTo(WorkerState.Exited));
        Assert.That(life.Leaving?.Detail, Is.EqualTo("bye"));
    }
}
