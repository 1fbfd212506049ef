using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;
using NodaTime;
using Portier.Core.Decisions;
using Portier.Server.Features.Access;
using Portier.Server.Infrastructure.Background;
using Portier.Server.Infrastructure.Persistence;

namespace Portier.Server.Features.TwoPerson;

/// <summary>
/// Who waits at each two-person door for a second person. On SQLite (one node) the wait is kept in this
/// node's memory (a wait lives seconds; after a restart the next person simply waits afresh). On PostgreSQL,
/// where the second person's attempt may reach another node, it is a row of <c>two_person_waits</c> every
/// node reads. Attempts at one two-person door take turns (<see cref="TakeTurnAsync"/>), within the node and,
/// on PostgreSQL, across nodes (an advisory lock, <see cref="Leases.ExclusiveAsync"/>), from reading who
/// waits to taking or starting the wait, so of two second people racing, exactly one opens the door with
/// the one waiting and the other starts a new wait.
/// Only attempts a person presents (reader, gate, member app) are subject to the rule; an administrator's
/// override and the door's schedule are not.
/// </summary>
public sealed class TwoPersonWaits(Leases leases, IServiceScopeFactory scopes)
{
    private readonly ConcurrentDictionary<Guid, SemaphoreSlim> _turns = new();
    private readonly Lock _lock = new();
    private readonly Dictionary<Guid, TwoPersonWait> _waiting = [];

    /// <summary>Whether the attempt is subject to its door's two-person rule.</summary>
    public static bool Applies(AttemptContext attempt) =>
        attempt.Attempt.Source is AttemptSource.Reader or AttemptSource.Gate or AttemptSource.App
        && attempt.Snapshot.TwoPersonWindowAt(attempt.Door.Id) is not null;

    /// <summary>
    /// Waits for the door's turn when the attempt is subject to the rule, and gives the attempt with the
    /// person waiting at the door as read in that turn. Dispose the turn once the attempt reserved (or was denied).
    /// </summary>
    public async Task<TwoPersonTurn> TakeTurnAsync(AttemptContext attempt, CancellationToken ct)
    {
        if (!Applies(attempt)) return new TwoPersonTurn(this, attempt, null, null);
        var turn = _turns.GetOrAdd(attempt.Door.Id, _ => new SemaphoreSlim(1, 1));
        await turn.WaitAsync(ct);
        IAsyncDisposable? acrossNodes = null;
        try
        {
            acrossNodes = await leases.ExclusiveAsync("two-person:" + attempt.Door.Id, ct);
            return new TwoPersonTurn(this, await WithWaitingAsync(attempt, ct), turn, acrossNodes);
        }
        catch
        {
            if (acrossNodes is not null) await acrossNodes.DisposeAsync();
            turn.Release();
            throw;
        }
    }

    /// <summary>The attempt with the person waiting at its door as a live fact (explain reads it without a turn).</summary>
    public async Task<AttemptContext> WithWaitingAsync(AttemptContext attempt, CancellationToken ct) =>
        Applies(attempt) ? attempt with { Facts = attempt.Facts with { Live = attempt.Facts.Live with { Waiting = await WaitingAtAsync(attempt.Door.Id, ct) } } } : attempt;

    /// <summary>The person waiting at the door and since when; nobody (the default) when none.</summary>
    public async Task<TwoPersonWait> WaitingAtAsync(Guid doorId, CancellationToken ct)
    {
        if (!leases.Shared)
        {
            lock (_lock) return _waiting.GetValueOrDefault(doorId);
        }
        await using var scope = scopes.CreateAsyncScope();
        var row = await Rows(scope).AsNoTracking().SingleOrDefaultAsync(w => w.DoorId == doorId, ct);
        return row is null ? default : new TwoPersonWait(row.PersonId, row.Since);
    }

    /// <summary>The person starts waiting at the door (or, the same person again, waits afresh).</summary>
    public async Task WaitAsync(Guid doorId, Guid personId, Instant since, CancellationToken ct)
    {
        if (!leases.Shared)
        {
            lock (_lock) _waiting[doorId] = new TwoPersonWait(personId, since);
            return;
        }
        await using var scope = scopes.CreateAsyncScope();
        await Db(scope).Database.ExecuteSqlInterpolatedAsync($"""
            INSERT INTO two_person_waits ("DoorId", "PersonId", "Since") VALUES ({doorId}, {personId}, {since.ToUnixTimeMilliseconds()})
            ON CONFLICT ("DoorId") DO UPDATE SET "PersonId" = excluded."PersonId", "Since" = excluded."Since"
            """, ct);
    }

    /// <summary>Takes the wait a grant pairs with, if it is still the one the decision read.</summary>
    public async Task<bool> TryTakeAsync(Guid doorId, TwoPersonWait expected, CancellationToken ct)
    {
        if (!leases.Shared)
        {
            lock (_lock)
            {
                if (!_waiting.TryGetValue(doorId, out var current) || current != expected) return false;
                _waiting.Remove(doorId);
                return true;
            }
        }
        // Conditional, so a wait another node took or replaced since it was read is not taken twice.
        await using var scope = scopes.CreateAsyncScope();
        return await Rows(scope).Where(w => w.DoorId == doorId && w.PersonId == expected.PersonId && w.Since == expected.Since).ExecuteDeleteAsync(ct) == 1;
    }

    /// <summary>Puts a taken wait back when the grant could not be recorded, unless someone else waits there by now.</summary>
    public async Task RestoreAsync(Guid doorId, TwoPersonWait wait, CancellationToken ct)
    {
        if (!leases.Shared)
        {
            lock (_lock) _waiting.TryAdd(doorId, wait);
            return;
        }
        await using var scope = scopes.CreateAsyncScope();
        await Db(scope).Database.ExecuteSqlInterpolatedAsync($"""
            INSERT INTO two_person_waits ("DoorId", "PersonId", "Since") VALUES ({doorId}, {wait.PersonId}, {wait.Since.ToUnixTimeMilliseconds()})
            ON CONFLICT ("DoorId") DO NOTHING
            """, ct);
    }

    private static PortierDbContext Db(AsyncServiceScope scope) => scope.ServiceProvider.GetRequiredService<PortierDbContext>();

    private static DbSet<SharedTwoPersonWait> Rows(AsyncServiceScope scope) => Db(scope).Set<SharedTwoPersonWait>();
}

/// <summary>One attempt's turn at a two-person door (or nothing to wait for at any other door).</summary>
public sealed class TwoPersonTurn(TwoPersonWaits waits, AttemptContext attempt, SemaphoreSlim? turn, IAsyncDisposable? acrossNodes) : IAsyncDisposable
{
    /// <summary>The attempt, with the person waiting at the door read in this turn.</summary>
    public AttemptContext Attempt { get; } = attempt;

    /// <summary>A person told to wait (<c>two_person_waiting</c>) now waits at the door for a second.</summary>
    public async Task SettleAsync(Decision decision, CancellationToken ct)
    {
        if (turn is not null && decision.Reason == ReasonCode.TwoPersonWaiting && Attempt.PersonId is { } person)
            await waits.WaitAsync(Attempt.Door.Id, person, Attempt.At, ct);
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (acrossNodes is not null) await acrossNodes.DisposeAsync();
        }
        finally
        {
            turn?.Release();
        }
    }
}
