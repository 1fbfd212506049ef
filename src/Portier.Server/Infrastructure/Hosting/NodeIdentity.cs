namespace Portier.Server.Infrastructure.Hosting;

/// <summary>
/// This process among the server nodes sharing a database: a new id at every start, shown in health and
/// logs, held in leases and carried by its change announcements (so a node knows its own).
/// </summary>
public sealed class NodeIdentity
{
    public string Id { get; } = $"{Environment.MachineName}-{Environment.ProcessId}-{Guid.NewGuid().ToString("N")[..8]}".ToLowerInvariant();
}
