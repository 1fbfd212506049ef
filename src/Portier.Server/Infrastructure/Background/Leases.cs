using Portier.Server.Infrastructure.Hosting;
using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Microsoft.Extensions.Options;
using NodaTime;
using Npgsql;
using Portier.Server.Infrastructure.Persistence;

namespace Portier.Server.Infrastructure.Background;

/// <summary>One named piece of background work and the node that may do it until <see cref="ExpiresAt"/>.</summary>
public sealed class Lease
{
    public required string Name { get; init; }
    public required string Holder { get; set; }
    /// <summary>When <see cref="Holder"/> took the lease (kept while it renews).</summary>
    public Instant AcquiredAt { get; set; }
    public Instant ExpiresAt { get; set; }
}

internal sealed class LeaseConfiguration : IEntityTypeConfiguration<Lease>
{
    public void Configure(EntityTypeBuilder<Lease> b)
    {
        b.ToTable("leases");
        b.HasKey(l => l.Name);
        b.Property(l => l.Name).HasMaxLength(64);
        b.Property(l => l.Holder).HasMaxLength(128);
    }
}

/// <summary>
/// Who does which background work when several server nodes share one PostgreSQL database. A lease is
/// a row keyed by the work's name with its holder and expiry; a node takes it with one conditional
/// UPDATE (held by itself, or expired) or, the first time, an INSERT that does nothing on conflict, so
/// two nodes never both win it. The holder renews it every <see cref="LeaseOptions.RenewEvery"/>
/// (<see cref="LeaseKeeper"/>); a node that dies stops renewing, and another takes the work over once
/// the lease has expired, within about <see cref="LeaseOptions.Length"/>. A node stopping cleanly gives
/// its leases back at once. Expiry is judged on each node's clock, so nodes keep their clocks in sync (NTP).
/// On SQLite there is only ever one node: every lease is always held and nothing is written.
/// </summary>
public sealed partial class Leases(
    IServiceScopeFactory scopes, NodeIdentity node, TimeProvider clock, IOptions<LeaseOptions> options, IOptions<DatabaseOptions> database,
    ILogger<Leases> logger)
{
    private sealed record Held(Instant Since, Instant Until);

    private readonly ConcurrentDictionary<string, Held> _held = new();
    private readonly ConcurrentDictionary<string, Action> _wanted = new();
    private Task? _releasing;

    public string NodeId => node.Id;

    /// <summary>Whether nodes share the database (PostgreSQL); on SQLite this node is the only one.</summary>
    public bool Shared { get; } = database.Value.Provider == DatabaseProvider.Postgres;

    private Duration Length => Duration.FromTimeSpan(options.Value.Length);

    private Duration RenewEvery => Duration.FromTimeSpan(options.Value.RenewEvery);

    /// <summary>
    /// Asks <see cref="LeaseKeeper"/> to keep trying for the lease, and to call <paramref name="gained"/>
    /// when this node takes it (another node died or stopped), so the work starts without waiting for its next pass.
    /// </summary>
    public void Want(string name, Action gained) => _wanted[name] = gained;

    /// <summary>True while this node holds the lease, as of its last renewal (no database call).</summary>
    public bool Holds(string name) => !Shared || (_held.TryGetValue(name, out var held) && clock.GetCurrentInstant() < held.Until);

    /// <summary>When this node took the lease it holds; null when it holds none, or on SQLite (held since the start).</summary>
    public Instant? HeldSince(string name) => Shared && _held.TryGetValue(name, out var held) ? held.Since : null;

    /// <summary>The leases this node holds now, with their expiry: for health and logs.</summary>
    public IReadOnlyDictionary<string, Instant> HeldNow()
    {
        var now = clock.GetCurrentInstant();
        return _held.Where(h => h.Value.Until > now).ToDictionary(h => h.Key, h => h.Value.Until);
    }

    /// <summary>
    /// True when this node holds the lease now: renewed if its last renewal is older than
    /// <see cref="LeaseOptions.RenewEvery"/>, taken if it is free or expired. Called at the start of a pass of leased work.
    /// </summary>
    public async Task<bool> HoldAsync(string name, CancellationToken ct)
    {
        if (!Shared) return true;
        var now = clock.GetCurrentInstant();
        if (_held.TryGetValue(name, out var held) && held.Until - now > Length - RenewEvery) return true;
        return await TakeAsync(name, now, ct);
    }

    private async Task<bool> TakeAsync(string name, Instant now, CancellationToken ct)
    {
        var until = now + Length;
        var me = node.Id;
        bool taken;
        await using (var scope = scopes.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<PortierDbContext>();
            // Under PostgreSQL's row lock, a second node's UPDATE re-reads the row the first one wrote, and no longer matches.
            taken = await db.Set<Lease>().Where(l => l.Name == name && (l.Holder == me || l.ExpiresAt <= now))
                .ExecuteUpdateAsync(s => s
                    .SetProperty(l => l.AcquiredAt, l => l.Holder == me ? l.AcquiredAt : now)
                    .SetProperty(l => l.Holder, me)
                    .SetProperty(l => l.ExpiresAt, until), ct) > 0;
            if (!taken) taken = await InsertAsync(db, name, me, now, until, ct) > 0;
        }
        var before = _held.TryGetValue(name, out var was) && was.Until > now ? was : null;
        if (!taken)
        {
            if (_held.TryRemove(name, out _) && before is not null) LogLost(logger, name, node.Id);
            return false;
        }
        _held[name] = new Held(before?.Since ?? now, until);
        if (before is null)
        {
            LogTaken(logger, name, node.Id);
            if (_wanted.TryGetValue(name, out var gained)) gained();
        }
        return true;
    }

    private static Task<int> InsertAsync(PortierDbContext db, string name, string holder, Instant now, Instant until, CancellationToken ct)
    {
        var table = StoreTable.Of<Lease>(db);
        var arguments = new SqlArguments();
        var sql = $"""
            INSERT INTO {table.Name} ({table.Column(nameof(Lease.Name))}, {table.Column(nameof(Lease.Holder))}, {table.Column(nameof(Lease.AcquiredAt))}, {table.Column(nameof(Lease.ExpiresAt))})
            VALUES ({arguments.Add(name)}, {arguments.Add(holder)}, {arguments.Add(now.ToUnixTimeMilliseconds())}, {arguments.Add(until.ToUnixTimeMilliseconds())})
            ON CONFLICT ({table.Column(nameof(Lease.Name))}) DO NOTHING
            """;
        return db.Database.ExecuteSqlRawAsync(sql, arguments.Values, ct);
    }

    /// <summary>Renews what this node holds and tries for what it wants; one failure does not stop the others.</summary>
    internal async Task KeepAsync(CancellationToken ct)
    {
        if (!Shared) return;
        foreach (var name in _wanted.Keys.Union(_held.Keys).ToList())
        {
            try
            {
                await TakeAsync(name, clock.GetCurrentInstant(), ct);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogKeepFailed(logger, name, e);
            }
        }
    }

    /// <summary>
    /// Gives back every lease this node holds, so another node takes the work over at once (a clean stop).
    /// A host can be stopped twice at once (its own run loop and whoever asked it to stop): both wait for
    /// the one giving-back, so neither finishes, and lets the host be disposed, while it is still under way.
    /// </summary>
    internal Task ReleaseAllAsync(CancellationToken ct)
    {
        if (!Shared) return Task.CompletedTask;
        lock (_held) return _releasing ??= ReleaseHeldAsync(ct);
    }

    private async Task ReleaseHeldAsync(CancellationToken ct)
    {
        await Task.Yield();
        if (_held.IsEmpty) return;
        var names = _held.Keys.ToList();
        _held.Clear();
        var me = node.Id;
        await using var scope = scopes.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<PortierDbContext>().Set<Lease>()
            .Where(l => names.Contains(l.Name) && l.Holder == me).ExecuteDeleteAsync(ct);
        LogReleased(logger, node.Id, names);
    }

    /// <summary>
    /// Runs one step of work on one node at a time across every node sharing the database (a PostgreSQL
    /// advisory lock on a connection of its own, waited for without the usual lock timeout); on SQLite,
    /// with one node, it returns at once. For work any node may start (a door changed through this node's
    /// API) that must not overlap the lease holder's pass over the same state.
    /// </summary>
    public async Task<IAsyncDisposable> ExclusiveAsync(string name, CancellationToken ct)
    {
        if (!Shared) return NoLock.Instance;
        var connection = new NpgsqlConnection(database.Value.PostgresConnectionString());
        try
        {
            await connection.OpenAsync(ct);
            await using (var wait = new NpgsqlCommand("SET lock_timeout = 0", connection)) await wait.ExecuteNonQueryAsync(ct);
            await using var take = new NpgsqlCommand("SELECT pg_advisory_lock(hashtextextended(@name, 0))", connection);
            take.Parameters.AddWithValue("name", name);
            await take.ExecuteNonQueryAsync(ct);
            return new AdvisoryLock(connection, name);
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    private sealed class NoLock : IAsyncDisposable
    {
        public static readonly NoLock Instance = new();

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }

    private sealed class AdvisoryLock(NpgsqlConnection connection, string name) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            try
            {
                await using var release = new NpgsqlCommand("SELECT pg_advisory_unlock(hashtextextended(@name, 0))", connection);
                release.Parameters.AddWithValue("name", name);
                await release.ExecuteNonQueryAsync();
            }
            finally
            {
                // Closing the session releases the lock too, should the unlock have failed.
                await connection.DisposeAsync();
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Node {NodeId} took the lease {Lease}")]
    private static partial void LogTaken(ILogger logger, string lease, string nodeId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Node {NodeId} lost the lease {Lease}: another node holds it now")]
    private static partial void LogLost(ILogger logger, string lease, string nodeId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Node {NodeId} gave back its leases: {Leases}")]
    private static partial void LogReleased(ILogger logger, string nodeId, IReadOnlyList<string> leases);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Renewing or taking the lease {Lease} failed; tried again at the next renewal")]
    private static partial void LogKeepFailed(ILogger logger, string lease, Exception exception);
}
