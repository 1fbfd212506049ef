using System.ComponentModel.DataAnnotations;

namespace Portier.Server.Infrastructure.Changes;

/// <summary>How nodes sharing a PostgreSQL database learn of each other's definition changes (unused on SQLite).</summary>
public sealed class ChangesOptions
{
    public const string Section = "Database:Changes";

    /// <summary>How often each node compares the definition versions with those it has caught up with (the net under a lost notification).</summary>
    [Range(1, 3600)]
    public int VersionCheckSeconds { get; set; } = 5;

    /// <summary>The longest wait between attempts to reconnect the listening connection; waits double from one second up to it.</summary>
    [Range(1, 600)]
    public int MaxReconnectSeconds { get; set; } = 30;

    public TimeSpan VersionCheckInterval => TimeSpan.FromSeconds(VersionCheckSeconds);

    public TimeSpan MaxReconnectDelay => TimeSpan.FromSeconds(MaxReconnectSeconds);
}
