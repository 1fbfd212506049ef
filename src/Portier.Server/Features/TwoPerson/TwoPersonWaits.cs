using System.Collections.Concurrent;
using NodaTime;
using Portier.Core.Decisions;
using Portier.Server.Features.Access;

namespace Portier.Server.Features.TwoPerson;

/// <summary>
/// Who waits at each two-person door for a second person, kept in this node's memory (a wait lives seconds;
/// after a restart the next person simply waits afresh). Attempts at one two-person door take turns
/// (<see cref="TakeTurnAsync"/>) from reading who waits to taking or starting the wait, so of two second
/// people racing, exactly one opens the door with the one waiting and the other starts a new wait.
/// Only attempts a person presents (reader, gate, member app) are subject to the rule; an administrator's
/// override and the door's schedule are not.
/// </summary>
public sealed class TwoPersonWaits
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
        if (!Applies(attempt)) return new TwoPersonTurn(this, attempt, null);
        var turn = _turns.GetOrAdd(attempt.Door.Id, _ => new SemaphoreSlim(1, 1));
        await turn.WaitAsync(ct);
        return new TwoPersonTurn(this, WithWaiting(attempt), turn);
    }

    /// <summary>The attempt with the person waiting at its door as a live fact (explain reads it without a turn).</summary>
    public AttemptContext WithWaiting(AttemptContext attempt) =>
        Applies(attempt) ? attempt with { Facts = attempt.Facts with { Live = attempt.Facts.Live with { Waiting = WaitingAt(attempt.Door.Id) } } } : attempt;

    /// <summary>The person waiting at the door and since when; nobody (the default) when none.</summary>
    public TwoPersonWait WaitingAt(Guid doorId)
    {
        lock (_lock) return _waiting.GetValueOrDefault(doorId);
    }

    /// <summary>The person starts waiting at the door (or, the same person again, waits afresh).</summary>
    public void Wait(Guid doorId, Guid personId, Instant since)
    {
        lock (_lock) _waiting[doorId] = new TwoPersonWait(personId, since);
    }

    /// <summary>Takes the wait a grant pairs with, if it is still the one the decision read.</summary>
    public bool TryTake(Guid doorId, TwoPersonWait expected)
    {
        lock (_lock)
        {
            if (!_waiting.TryGetValue(doorId, out var current) || current != expected) return false;
            _waiting.Remove(doorId);
            return true;
        }
    }

    /// <summary>Puts a taken wait back when the grant could not be recorded, unless someone else waits there by now.</summary>
    public void Restore(Guid doorId, TwoPersonWait wait)
    {
        lock (_lock) _waiting.TryAdd(doorId, wait);
    }
}

/// <summary>One attempt's turn at a two-person door (or nothing to wait for at any other door).</summary>
public sealed class TwoPersonTurn(TwoPersonWaits waits, AttemptContext attempt, SemaphoreSlim? turn) : IDisposable
{
    /// <summary>The attempt, with the person waiting at the door read in this turn.</summary>
    public AttemptContext Attempt { get; } = attempt;

    /// <summary>A person told to wait (<c>two_person_waiting</c>) now waits at the door for a second.</summary>
    public void Settle(Decision decision)
    {
        if (turn is not null && decision.Reason == ReasonCode.TwoPersonWaiting && Attempt.PersonId is { } person)
            waits.Wait(Attempt.Door.Id, person, Attempt.At);
    }

    public void Dispose() => turn?.Release();
}
