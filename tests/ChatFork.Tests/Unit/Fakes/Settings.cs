using ChatFork.Supervisor;

namespace ChatFork.Tests.Unit.Fakes;

/// <summary>Server settings from the real defaults, with the limits a unit test cares about changed.</summary>
internal static class Settings
{
    public static ServerSettings With(int maxClients = 8, int perIp = 64, int prespawn = 0, int workerReuse = 0) =>
        ServerSettings.From(new SupervisorOptions
        {
            Port = 0,
            MaxClients = maxClients,
            MaxClientsPerIp = perIp,
            Prespawn = prespawn,
            WorkerReuse = workerReuse,
        });
}
