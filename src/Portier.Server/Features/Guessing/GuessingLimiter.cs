using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;
using NodaTime;
using Portier.Core.Guessing;
using Portier.Core.Model;
using Portier.Server.Features.Alarms;
using Portier.Server.Features.Credentials;
using Portier.Server.Features.Doors;
using Portier.Server.Infrastructure.Persistence;
using StackExchange.Redis;

namespace Portier.Server.Features.Guessing;

/// <summary>The guard's answer for one attempt: refused (with when to try again) or let through to be decided.</summary>
public readonly record struct GuessVerdict(bool Throttled, Instant? RetryAt)
{
    public static GuessVerdict Admitted => default;
}

/// <summary>
/// Guessing limits for every attempt that presents a credential, whatever its source: counters of
/// invalid credentials per reader (door), per site and per presented PIN or code, each backing off
/// (<see cref="GuessCounter"/>) after its limit; and a burst alarm per reader. The counters live in
/// memory, so a valid scan costs no query beyond the first at a reader; a failure is written to
/// <c>guess_counters</c> before the attempt is answered, so a back-off outlasts a restart. Deciding
/// whether an attempt is let through and counting it happen under one lock, so parallel guesses
/// cannot slip past the limit: exactly the limit's number of invalid credentials is ever looked up.
/// With Redis configured the nodes share the counters there (<see cref="SharedGuessCounters"/>), so
/// guesses spread over nodes are counted as on one; while Redis does not answer, presented
/// credentials are refused (fail closed).
/// </summary>
public sealed partial class GuessingLimiter(
    IServiceScopeFactory scopes,
    SiteGuessingLimits siteLimits,
    SharedGuessCounters shared,
    PinHasher pins,
    DoorSupervision alarms,
    ILogger<GuessingLimiter> logger) : IDisposable
{
    private sealed class Entry(string key, GuessScope scope, Guid siteId, Guid? doorId, GuessCounter counter)
    {
        public string Key { get; } = key;
        public GuessScope Scope { get; } = scope;
        public Guid SiteId { get; } = siteId;
        public Guid? DoorId { get; } = doorId;
        public GuessCounter Counter { get; set; } = counter;
        public BurstWatch Burst { get; set; }
        /// <summary>The limits last applied, for forgetting and for ending the burst between attempts.</summary>
        public GuessingLimits? Limits { get; set; }
        public Instant LastSeen { get; set; }
    }

    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Task<Entry>> _loading = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();
    private readonly SemaphoreSlim _saving = new(1, 1);

    /// <summary>Rounds of read, decide, write lost to other nodes before the attempt is refused (only under a flood at one scope).</summary>
    private const int MaxSharedTries = 100;

    /// <summary>
    /// The guard step of the access pipeline. A scope backed off refuses the attempt without calling
    /// <paramref name="presentsUnknownCredential"/>; otherwise that says whether the credential matches
    /// nothing, and such a failure is counted in every scope (and made durable) before this returns.
    /// </summary>
    public async Task<GuessVerdict> AdmitAsync(
        Door door, CredentialKind kind, string? presented, Instant now, Func<bool> presentsUnknownCredential, CancellationToken ct)
    {
        var limits = await siteLimits.ForSiteAsync(door.SiteId, ct);
        var reader = await EntryAsync($"reader:{door.Id:D}", GuessScope.Reader, door.SiteId, door.Id, ct);
        var site = await EntryAsync($"site:{door.SiteId:D}", GuessScope.Site, door.SiteId, null, ct);
        var value = PinKey(door.SiteId, kind, presented) is { } pinKey ? await EntryAsync(pinKey, GuessScope.Pin, door.SiteId, null, ct) : null;
        (Entry Entry, GuessLimit Limit)[] counted =
            value is null ? [(reader, limits.Reader), (site, limits.Site)] : [(reader, limits.Reader), (site, limits.Site), (value, limits.Value)];

        GuessVerdict verdict;
        bool failed, raise;
        if (!shared.Enabled)
        {
            lock (_gate) (verdict, failed, raise) = Count(counted, reader, limits, now, presentsUnknownCredential);
        }
        else if (await CountSharedAsync(counted, limits, now, presentsUnknownCredential, ct) is { } outcome) (verdict, failed, raise) = outcome;
        // Fail closed: while the shared counters cannot be read or written, a presented credential is refused unchecked.
        else return new GuessVerdict(true, now + Duration.FromSeconds(1));

        if (failed)
        {
            if (counted.FirstOrDefault(s => s.Entry.Counter.IsLocked(now)) is { Entry: { } locked })
                LogBackedOff(logger, locked.Scope, door.Id, locked.Counter.LockedUntil!.Value);
            await SaveAsync([.. counted.Select(s => s.Entry)], ct);
        }
        if (raise)
        {
            LogBurst(logger, door.Id, limits.BurstAttempts, limits.BurstWindow.TotalSeconds);
            await alarms.RaiseAsync(door.Id, door.SiteId, AlarmKind.InvalidCredentialBurst, now, ct);
        }
        return verdict;
    }

    /// <summary>
    /// <see cref="Count"/> on the counters as the nodes share them: on copies of what Redis holds (or this
    /// node knew, for a scope Redis holds nothing for), written back only if no other node counted at the
    /// same scopes meanwhile, else read and decided again. Null when Redis does not answer.
    /// </summary>
    private async Task<(GuessVerdict, bool, bool)?> CountSharedAsync(
        (Entry Entry, GuessLimit Limit)[] counted, GuessingLimits limits, Instant now, Func<bool> presentsUnknownCredential, CancellationToken ct)
    {
        var keys = counted.Select(c => c.Entry.Key).ToList();
        try
        {
            for (var tries = 1; tries <= MaxSharedTries; tries++)
            {
                var read = await shared.ReadAsync(keys, ct);
                (Entry Entry, GuessLimit Limit)[] copies;
                lock (_gate)
                {
                    copies = [.. counted.Select((c, i) => (Copy(c.Entry, SharedGuessCounters.Parse(read[i])), c.Limit))];
                }
                var outcome = Count(copies, copies[0].Entry, limits, now, presentsUnknownCredential);
                var written = !(outcome.Verdict.Throttled || outcome.Failed)
                    || await shared.TryWriteAsync(keys, read, [.. copies.Select(c => new SharedGuessState(c.Entry.Counter, c.Entry.Burst, limits.BurstWindow))], now, ct);
                if (!written) continue;
                lock (_gate)
                {
                    for (var i = 0; i < counted.Length; i++)
                    {
                        var (entry, copy) = (counted[i].Entry, copies[i].Entry);
                        (entry.Counter, entry.Burst, entry.Limits, entry.LastSeen) = (copy.Counter, copy.Burst, copy.Limits, copy.LastSeen);
                    }
                }
                return outcome;
            }
            LogSharedCountersAway(logger, null, counted[0].Entry.DoorId);
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            LogSharedCountersAway(logger, e, counted[0].Entry.DoorId);
        }
        return null;
    }

    private static Entry Copy(Entry entry, SharedGuessState? state) =>
        new(entry.Key, entry.Scope, entry.SiteId, entry.DoorId, state?.Counter ?? entry.Counter) { Burst = state?.Burst ?? entry.Burst };

    /// <summary>Settles the counters, decides whether the attempt is let through and counts it; the caller holds the gate.</summary>
    private static (GuessVerdict Verdict, bool Failed, bool Raise) Count(
        (Entry Entry, GuessLimit Limit)[] counted, Entry reader, GuessingLimits limits, Instant now, Func<bool> presentsUnknownCredential)
    {
        Instant? lockedUntil = null;
        foreach (var (entry, limit) in counted)
        {
            entry.Counter = entry.Counter.Settled(now, limit);
            entry.Limits = limits;
            entry.LastSeen = now;
            if (entry.Counter.IsLocked(now) && (lockedUntil is null || entry.Counter.LockedUntil > lockedUntil)) lockedUntil = entry.Counter.LockedUntil;
        }
        var verdict = lockedUntil is null ? GuessVerdict.Admitted : new GuessVerdict(true, lockedUntil);
        var failed = !verdict.Throttled && presentsUnknownCredential();
        if (failed)
            foreach (var (entry, limit) in counted) entry.Counter = entry.Counter.Failed(now, limit);
        var raise = false;
        if (verdict.Throttled || failed)
        {
            (var burst, raise) = reader.Burst.Seen(now, limits.BurstAttempts, limits.BurstWindow);
            reader.Burst = burst;
        }
        return (verdict, failed, raise);
    }

    /// <summary>
    /// Housekeeping: clears the burst alarms of readers whose burst is over (also those left standing
    /// by a restart), and forgets counters that no longer hold anything against their scope.
    /// </summary>
    public async Task SweepAsync(Instant now, CancellationToken ct)
    {
        HashSet<Guid> bursting;
        lock (_gate)
        {
            bursting = [.. _entries.Values
                .Where(e => e is { Scope: GuessScope.Reader, DoorId: not null, Limits: not null } && e.Burst.Alarmed && !e.Burst.HasEnded(now, e.Limits.BurstWindow))
                .Select(e => e.DoorId!.Value)];
            foreach (var entry in _entries.Values)
            {
                if (entry.Limits is not { } limits) continue;
                var limit = entry.Scope switch { GuessScope.Reader => limits.Reader, GuessScope.Site => limits.Site, _ => limits.Value };
                if (entry.Counter.IsForgotten(now, limit) && entry.Burst.HasEnded(now, limits.BurstWindow) && now - entry.LastSeen >= limit.ForgetAfter)
                    _entries.TryRemove(entry.Key, out _);
            }
        }
        var over = (await alarms.StandingAsync(AlarmKind.InvalidCredentialBurst, ct)).Where(a => !bursting.Contains(a.DoorId)).ToList();
        if (shared.Enabled) over = await EndedOnEveryNodeAsync(over, now, ct);
        await alarms.ClearAsync([.. over.Select(a => a.AlarmId)], now, ct);

        // Whatever a site sets, a counter quiet for the longest forget-after a site may set holds nothing any more.
        var forgotten = now - Duration.FromSeconds(GuessingOptions.MaxForgetAfterSeconds);
        await using var scope = scopes.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<PortierDbContext>().Set<GuessCounterRow>()
            .Where(r => (r.LastFailureAt == null || r.LastFailureAt < forgotten) && (r.LockedUntil == null || r.LockedUntil < forgotten))
            .ExecuteDeleteAsync(ct);
    }

    /// <summary>The burst alarms whose burst is also over as the nodes share it (another node may still see guesses at the reader).</summary>
    private async Task<List<(Guid AlarmId, Guid DoorId)>> EndedOnEveryNodeAsync(List<(Guid AlarmId, Guid DoorId)> alarmsOver, Instant now, CancellationToken ct)
    {
        var ended = new List<(Guid AlarmId, Guid DoorId)>();
        try
        {
            foreach (var alarm in alarmsOver)
            {
                if (await shared.ReadOneAsync($"reader:{alarm.DoorId:D}", ct) is not { } state || state.Burst.HasEnded(now, state.BurstWindow))
                    ended.Add(alarm);
            }
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            // Unknown: the alarms stand until the next sweep can tell.
            LogSharedCountersAway(logger, e, null);
            return [];
        }
        return ended;
    }

    /// <summary>A PIN or code's own counter key: a keyed hash in its own namespace, never the value.</summary>
    private string? PinKey(Guid siteId, CredentialKind kind, string? presented) =>
        kind is CredentialKind.Pin or CredentialKind.Otp && CredentialValues.IsPinShaped(presented)
            ? "pin:" + pins.Hash(siteId, $"guess:{kind}:{presented}")
            : null;

    /// <summary>
    /// The counter in memory, read from the database the first time this process meets its scope
    /// (once, however many attempts arrive together).
    /// </summary>
    private async ValueTask<Entry> EntryAsync(string key, GuessScope scope, Guid siteId, Guid? doorId, CancellationToken ct)
    {
        if (_entries.TryGetValue(key, out var known)) return known;
        var loading = _loading.GetOrAdd(key, _ => LoadAsync(key, scope, siteId, doorId));
        try
        {
            return await loading.WaitAsync(ct);
        }
        finally
        {
            if (loading.IsCompleted) _loading.TryRemove(KeyValuePair.Create(key, loading));
        }
    }

    private async Task<Entry> LoadAsync(string key, GuessScope scope, Guid siteId, Guid? doorId)
    {
        await using var services = scopes.CreateAsyncScope();
        var row = await services.ServiceProvider.GetRequiredService<PortierDbContext>().Set<GuessCounterRow>().AsNoTracking()
            .FirstOrDefaultAsync(r => r.Key == key, CancellationToken.None);
        return _entries.GetOrAdd(key, new Entry(key, scope, siteId, doorId, row?.Counter ?? GuessCounter.None));
    }

    /// <summary>Writes the counters as they stand now (one writer at a time, so a later state is never overwritten by an earlier one).</summary>
    private async Task SaveAsync(IReadOnlyList<Entry> entries, CancellationToken ct)
    {
        await _saving.WaitAsync(ct);
        try
        {
            for (var attempt = 0; ; attempt++)
            {
                await using var services = scopes.CreateAsyncScope();
                var db = services.ServiceProvider.GetRequiredService<PortierDbContext>();
                var keys = entries.Select(e => e.Key).ToList();
                var rows = await db.Set<GuessCounterRow>().Where(r => keys.Contains(r.Key)).ToDictionaryAsync(r => r.Key, StringComparer.Ordinal, ct);
                foreach (var entry in entries)
                {
                    if (!rows.TryGetValue(entry.Key, out var row))
                        db.Add(row = new GuessCounterRow { Key = entry.Key, Scope = entry.Scope, SiteId = entry.SiteId });
                    lock (_gate) row.Set(entry.Counter);
                }
                // Another node may have written a first row meanwhile; the second try updates it.
                if (await db.TrySaveUniqueAsync(ct) || attempt > 0) return;
            }
        }
        finally
        {
            _saving.Release();
        }
    }

    public void Dispose() => _saving.Dispose();

    [LoggerMessage(Level = LogLevel.Warning, Message = "Guessing limit: {Scope} counter of an attempt at door {DoorId} backs off until {Until}")]
    private static partial void LogBackedOff(ILogger logger, GuessScope scope, Guid doorId, Instant until);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Burst of invalid credentials at door {DoorId}: {Attempts} within {Seconds} s; alarm raised")]
    private static partial void LogBurst(ILogger logger, Guid doorId, int attempts, double seconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Guessing counters in Redis unavailable (door {DoorId}): presented credentials are refused until they are back")]
    private static partial void LogSharedCountersAway(ILogger logger, Exception? exception, Guid? doorId);
}
