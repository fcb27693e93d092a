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

    [Test]
    public void A_worker_whose_client_left_cleanly_is_recycled_to_idle_with_every_client_fact_cleared_but_its_uses()
    {
        var life = Serving(s_connection);
        life.SaidLeaving(new LeavingMessage(LeaveReason.ClientClosed, "client closed the connection"));

        Assert.That(life.SaidRecycled(), Is.True);
        Assert.That(life.Recycling, Is.True);
        Assert.That(life.Recycle(), Is.SameAs(s_connection), "it returns the connection it served");

        Assert.That(life.State, Is.EqualTo(WorkerState.Idle));
        Assert.That(life.Connection, Is.Null);
        Assert.That(life.Joined, Is.False, "its next exit must not announce the old client's leave again");
        Assert.That(life.Ready, Is.False);
        Assert.That(life.Leaving, Is.Null);
        Assert.That(life.Recycling, Is.False);
        Assert.That(life.Uses, Is.EqualTo(1));

        var next = new PendingConnection(8, null!, new IPEndPoint(IPAddress.Loopback, 4001), 0);
        life.Assign(next);
        Assert.That(life.SaidReady(), Is.False, "Ready for the next client only after its own hand-off");
        life.HandedOff(joined: true);
        Assert.That(life.SaidReady(), Is.True);
        Assert.That(life.Uses, Is.EqualTo(2));
    }

    [Test]
    public void A_quit_leaves_the_worker_reusable_too()
    {
        var life = Serving(s_connection);
        life.SaidLeaving(new LeavingMessage(LeaveReason.Quit, "off to lunch"));
        Assert.That(life.SaidRecycled(), Is.True);
    }

    [TestCase((byte)LeaveReason.LineTooLong)]
    [TestCase((byte)LeaveReason.TooSlow)]
    [TestCase((byte)LeaveReason.Idle)]
    [TestCase((byte)LeaveReason.Shutdown)]
    [TestCase((byte)LeaveReason.ConnectionError)]
    [TestCase((byte)LeaveReason.BadInput)]
    [TestCase((byte)LeaveReason.LineTimeout)]
    [TestCase((byte)LeaveReason.Flood)]
    public void A_worker_that_said_its_client_hit_a_limit_or_an_error_is_not_recycled(byte reason)
    {
        var life = Serving(s_connection);
        life.SaidLeaving(new LeavingMessage((LeaveReason)reason, "detail"));

        Assert.That(life.SaidRecycled(), Is.False);
        Assert.That(life.Recycling, Is.False);
        Assert.That(() => life.Recycle(), Throws.InvalidOperationException);
        Assert.That(life.State, Is.EqualTo(WorkerState.Busy));
    }

    [Test]
    public void Recycled_is_refused_before_Ready_without_Leaving_and_the_second_time()
    {
        var life = new WorkerLifecycle();
        life.Attach();
        Assert.That(life.SaidRecycled(), Is.False, "an idle worker has no client to recycle");

        life.Assign(s_connection);
        life.HandedOff(joined: true);
        life.SaidLeaving(new LeavingMessage(LeaveReason.ClientClosed, ""));
        Assert.That(life.SaidRecycled(), Is.False, "before Ready");

        var serving = Serving(s_connection);
        Assert.That(serving.SaidRecycled(), Is.False, "without a Leaving first");
        serving.SaidLeaving(new LeavingMessage(LeaveReason.ClientClosed, ""));
        Assert.That(serving.SaidRecycled(), Is.True);
        Assert.That(serving.SaidRecycled(), Is.False, "twice");
    }

    [Test]
    public void A_worker_the_supervisor_is_killing_is_never_recycled()
    {
        var life = Serving(s_connection);
        life.SaidLeaving(new LeavingMessage(LeaveReason.ClientClosed, ""));
        life.Killed("its worker fell behind on the pipe (--worker-queue)", misbehaved: false);

        Assert.That(life.SaidRecycled(), Is.False);
    }

    [Test]
    public void A_recycled_worker_retires_from_idle_and_its_exit_reports_retiring()
    {
        var life = Serving(s_connection);
        life.SaidLeaving(new LeavingMessage(LeaveReason.Quit, ""));
        life.SaidRecycled();
        life.Recycle();

        life.Retire();
        Assert.That(life.State, Is.EqualTo(WorkerState.Retiring));
        Assert.That(() => life.Assign(s_connection), Throws.InvalidOperationException, "a retiring worker takes no client");
        Assert.That(life.Retire, Throws.InvalidOperationException, "retired twice");
        Assert.That(life.Exit(), Is.EqualTo(WorkerState.Retiring));
    }

    private static WorkerLifecycle Serving(PendingConnection connection)
    {
        var life = new WorkerLifecycle();
        life.Attach();
        life.Assign(connection);
        life.HandedOff(joined: true);
        Assert.That(life.SaidReady(), Is.True);
        return life;
    }
}
