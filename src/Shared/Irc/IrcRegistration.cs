namespace ChatFork.Irc;

/// <summary>
/// The registration state machine of one connection (Modern IRC, "Connection Registration"): PASS, NICK and USER in
/// any order, with CAP LS or CAP REQ suspending registration until CAP END. When NICK and USER are both known and no
/// negotiation is open, it is time to ask the server (<see cref="IrcRegistrationStep.Register"/>); the server answers
/// with the nick (<see cref="Registered"/>) or with 433, after which a new NICK asks again. Pure and unit-tested; the
/// session feeds it and sends what it says.
/// </summary>
internal sealed class IrcRegistration
{
    private bool _capNegotiating;

    public IrcRegistrationState State { get; private set; } = IrcRegistrationState.Unregistered;

    public string? Nick { get; private set; }

    public string? User { get; private set; }

    public string? RealName { get; private set; }

    public string? Password { get; private set; }

    public bool IsRegistered => State == IrcRegistrationState.Registered;

    /// <summary>The name numerics address: the nick once registered, "*" before.</summary>
    public string ClientName => IsRegistered ? Nick! : "*";

    /// <summary>PASS. False if it comes too late (462): after registration.</summary>
    public bool OnPass(string password)
    {
        if (IsRegistered)
        {
            return false;
        }

        Password = password;
        return true;
    }

    /// <summary>A valid NICK before registration.</summary>
    public IrcRegistrationStep OnNick(string nick)
    {
        Nick = nick;
        return Next();
    }

    /// <summary>USER. <see cref="IrcRegistrationStep.AlreadyRegistered"/> after registration (462).</summary>
    public IrcRegistrationStep OnUser(string user, string realName)
    {
        if (IsRegistered)
        {
            return IrcRegistrationStep.AlreadyRegistered;
        }

        if (User is not null)
        {
            return IrcRegistrationStep.None; // a second USER before the welcome changes nothing
        }

        User = user;
        RealName = realName;
        return Next();
    }

    /// <summary>CAP LS or CAP REQ: before registration, it waits for CAP END.</summary>
    public void OnCapStart()
    {
        if (!IsRegistered)
        {
            _capNegotiating = true;
        }
    }

    public IrcRegistrationStep OnCapEnd()
    {
        if (IsRegistered || !_capNegotiating)
        {
            return IrcRegistrationStep.None;
        }

        _capNegotiating = false;
        return Next();
    }

    /// <summary>The server registered the connection under <paramref name="nick"/>, or renamed it.</summary>
    public void Registered(string nick)
    {
        Nick = nick;
        State = IrcRegistrationState.Registered;
    }

    private IrcRegistrationStep Next()
    {
        if (Nick is null || User is null || _capNegotiating || IsRegistered)
        {
            return IrcRegistrationStep.None;
        }

        // A NICK while the server is still deciding asks again with the newer nick; the server takes the last.
        State = IrcRegistrationState.Registering;
        return IrcRegistrationStep.Register;
    }
}
