using NodaTime;
using Portier.Core.Bundles;
using Portier.Core.Decisions;
using Portier.Core.Devices;
using Portier.Core.Model;

namespace Portier.Simulator;

/// <summary>What the controller did with a credential it decided on its own.</summary>
public sealed record OfflineAnswer(Decision Decision, int HoldSeconds, bool ReleasedByFailMode, OfflineEvent? Recorded)
{
    public string Describe()
    {
        if (Decision.Allowed) return $"unlock for {HoldSeconds}s (offline)";
        var deny = $"deny ({Decision.Reason.ToCode()}, offline)";
        return ReleasedByFailMode ? deny + "; door released (fail-safe)" : deny;
    }
}

/// <summary>
/// A controller's offline mode (device protocol v2): the last good bundle, the site's keys, its own
/// clock and counts, and the buffer of events it recorded on its own. Decisions are the server's own
/// (<see cref="EdgeDecisions.Decide"/> on the bundle's snapshot). Every change is on disk before the
/// method returns (<see cref="ControllerFiles"/>). Thread-safe: one lock around everything.
/// </summary>
public sealed class OfflineController
{
    /// <summary>The most events a controller buffers; past it the oldest go (and are counted as dropped), as a real controller's ring buffer does.</summary>
    public const int BufferLimit = 5_000;

    private readonly Lock _lock = new();
    private readonly ControllerFiles _files;
    private readonly TimeProvider _clock;
    private readonly Action<string> _log;
    private readonly byte[]? _publicKey;
    private readonly byte[]? _credentialKey;
    private ControllerMemory _memory;
    private List<OfflineEvent> _events;
    // Who waits at each two-person door for a second person: seconds-lived, so kept in memory only.
    private readonly Dictionary<Guid, TwoPersonWait> _waiting = [];

    public OfflineController(Guid deviceId, ControllerFiles files, TimeProvider clock, Action<string>? log = null)
    {
        DeviceId = deviceId;
        _files = files;
        _clock = clock;
        _log = log ?? (message => Console.Error.WriteLine($"{deviceId}: {message}"));
        var keys = files.LoadKeys();
        _publicKey = keys is null ? null : Convert.FromBase64String(keys.PublicKey);
        _credentialKey = keys is null ? null : Convert.FromBase64String(keys.CredentialKey);
        SiteId = keys?.SiteId;
        _memory = files.LoadMemory();
        _events = files.LoadEvents();
        // The buffer is the truth for numbering: a sequence written to it is never handed out again.
        if (_events.Count > 0 && _events[^1].Sequence >= _memory.NextSequence) _memory = _memory with { NextSequence = _events[^1].Sequence + 1 };
        ReloadBundles();
    }

    public Guid DeviceId { get; }
    public Guid? SiteId { get; private set; }
    public bool HasKeys => _publicKey is not null && _credentialKey is not null;
    public ControllerPolicy? Policy { get; private set; }
    public long? BundleVersion => Policy?.Version;
    public ControllerMemory Memory { get { lock (_lock) return _memory; } }
    public int Buffered { get { lock (_lock) return _events.Count; } }

    /// <summary>The controller's clock: this machine's, corrected by the offset the server's last <c>time</c> gave.</summary>
    public Instant Now => Instant.FromDateTimeOffset(_clock.GetUtcNow()) + NodaTime.Duration.FromMilliseconds(Memory.ClockOffsetMilliseconds);

    /// <summary>Any message from the server: the horizon starts again from now.</summary>
    public void HeardFromServer()
    {
        lock (_lock) Save(_memory with { LastHeardFromServer = Now.ToDateTimeOffset() });
    }

    /// <summary>The server's <c>time</c>: the controller sets its clock by it.</summary>
    public void SetClock(DateTimeOffset serverNow)
    {
        lock (_lock)
        {
            var offset = (long)(serverNow - _clock.GetUtcNow()).TotalMilliseconds;
            Save(_memory with { ClockOffsetMilliseconds = offset, LastHeardFromServer = serverNow });
        }
    }

    /// <summary>
    /// Checks and applies a received bundle; a refused one is logged and the last good one stays in force.
    /// Returns the version in force afterwards and the refusal, if any, for <c>bundle-ack</c>.
    /// </summary>
    public (long? Version, string? Error) ApplyBundle(byte[] payload)
    {
        lock (_lock)
        {
            var error = TryApply(payload, out var applied);
            if (error is null)
            {
                var full = !applied!.Value.Body.IsDelta;
                Policy = applied.Value.Policy;
                SiteId = Policy.Site.Id;
                _files.SaveBundle(payload, full);
                // Local counts run against a bundle; with nothing left to upload the server knows every passage
                // they stand for, and where a person is goes by the server again until the next time alone.
                if (_events.Count == 0) Save(_memory with { CredentialUses = [], ZonePresence = [] });
                return (Policy.Version, null);
            }
            _log($"refused a bundle: {error}; keeping version {Policy?.Version.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none"}");
            return (Policy?.Version, error);
        }
    }

    private string? TryApply(byte[] payload, out (BundleBody Body, ControllerPolicy Policy)? applied)
    {
        applied = null;
        if (_publicKey is null) return "no site key: pair the controller again";
        if (!BundleCodec.TryDecode(payload, _publicKey, out var body, out var error)) return error;
        // The server may send the full bundle twice around a reconnect (a change and the sync crossing): the same version again is no news.
        if (Policy is not null && !body.IsDelta && body.Version == Policy.Version && body.DeviceId == DeviceId && body.SiteId == SiteId)
        {
            applied = (body, Policy);
            return null;
        }
        // The first bundle names the site (its signature already proved it is the site's); after that it must not change.
        if (!ControllerPolicy.TryApply(Policy, body, SiteId ?? body.SiteId, DeviceId, out var policy, out error)) return error;
        applied = (body, policy);
        return null;
    }

    /// <summary>Re-verifies and re-applies the kept bundles (full, then deltas); stops at the first that no longer applies.</summary>
    private void ReloadBundles()
    {
        foreach (var payload in _files.LoadBundles())
        {
            if (TryApply(payload, out var applied) is { } error)
            {
                _log($"a kept bundle no longer applies: {error}");
                break;
            }
            Policy = applied!.Value.Policy;
            SiteId = Policy.Site.Id;
        }
    }

    /// <summary>
    /// Decides a credential presented at <paramref name="readerId"/> (the first door when no reader of that
    /// name is in the bundle) with the bundle alone, records the decision as an event, and counts what it used.
    /// </summary>
    public OfflineAnswer Decide(CredentialKind kind, string presented, string? readerId)
    {
        lock (_lock)
        {
            var now = Now;
            if (Policy is null || _credentialKey is null || Policy.Body.Doors is not { Count: > 0 } doors)
                return new OfflineAnswer(Decision.Deny(ReasonCode.OfflineUnverifiable), 0, false, null);
            var found = readerId is null ? null : Policy.FindReader(readerId);
            // As the server does: a controller with registered readers does not guess the door of one it does not know.
            if (found is null && readerId is not null && doors.Any(d => d.Readers.Count > 0))
                return new OfflineAnswer(Decision.Deny(ReasonCode.UnknownReader), 0, false, null);
            var (door, reader) = found is { } placed ? (placed.Door, (BundleReader?)placed.Reader) : (doors[0], null);
            var lastHeard = _memory.LastHeardFromServer is { } heard ? Instant.FromDateTimeOffset(heard) : Instant.MinValue;
            var hash = CredentialHashing.HashPresented(_credentialKey, kind, presented);
            var credential = hash is null ? null : Policy.Snapshot.FindCredential(door.Id, kind, hash);
            var counts = new LocalCounts(
                door.ZoneId is { } zone ? _memory.ZoneOccupancy.GetValueOrDefault(zone) : 0,
                credential is null ? 0 : _memory.CredentialUses.GetValueOrDefault(credential.Id))
            {
                Presence = door.ZoneId is { } seenZone && credential is not null
                    && _memory.ZonePresence.GetValueOrDefault(seenZone)?.GetValueOrDefault(credential.PersonId) is { } seen
                    ? seen.ToPresence()
                    : default,
                Waiting = _waiting.GetValueOrDefault(door.Id),
            };
            var decision = EdgeDecisions.Decide(Policy, door, _credentialKey, kind, presented, now, lastHeard, counts, reader);
            var recorded = Record(new OfflineEvent(0, OfflineEventType.Access, now.ToDateTimeOffset(), door.Id)
            {
                ReaderId = reader?.Id ?? readerId,
                CredentialKind = kind,
                CredentialId = credential?.Id,
                PersonId = credential?.PersonId,
                Allowed = decision.Allowed,
                Reason = decision.Reason.ToCode(),
                Path = decision.Path.ToCode(),
                BundleVersion = Policy.Version,
            });
            if (decision.Reason == ReasonCode.TwoPersonWaiting && credential is not null) _waiting[door.Id] = new TwoPersonWait(credential.PersonId, now);
            if (decision.Companion is not null) _waiting.Remove(door.Id);
            var memory = _memory with { LastOfflineDecisionAt = now.ToDateTimeOffset() };
            if (decision.Allowed) memory = Counted(memory, door, reader, credential, now);
            Save(memory);
            var released = decision.Reason == ReasonCode.OfflineHorizonPassed && door.FailMode == BundleNames.Of(DoorFailMode.Safe);
            return new OfflineAnswer(decision, door.HoldSeconds, released, recorded);
        }
    }

    /// <summary>A grant's use of its credential, and a person through the door into (or out of) its zone.</summary>
    private static ControllerMemory Counted(ControllerMemory memory, BundleDoor door, BundleReader? reader, Portier.Core.Policy.PresentedCredential? credential, Instant now)
    {
        var uses = new Dictionary<Guid, int>(memory.CredentialUses);
        if (credential is not null) uses[credential.Id] = uses.GetValueOrDefault(credential.Id) + 1;
        if (door.ZoneId is not { } zone) return memory with { CredentialUses = uses };

        // The passage's direction as the decision read it: the reader's, else the door's own.
        var entering = (EdgeDecisions.Passing(door, reader) ?? BundleNames.DirectionOf(door.Direction) ?? DoorDirection.Both).EntersZone();
        var zones = new Dictionary<Guid, int>(memory.ZoneOccupancy) { [zone] = Math.Max(0, memory.ZoneOccupancy.GetValueOrDefault(zone) + (entering ? 1 : -1)) };
        var presence = new Dictionary<Guid, Dictionary<Guid, SeenPassage>>(memory.ZonePresence);
        if (credential is not null)
        {
            var people = new Dictionary<Guid, SeenPassage>(presence.GetValueOrDefault(zone) ?? []);
            var lastEntry = entering ? now.ToDateTimeOffset() : people.GetValueOrDefault(credential.PersonId)?.LastEntryAt;
            people[credential.PersonId] = new SeenPassage(entering, lastEntry);
            presence[zone] = people;
        }
        return memory with { CredentialUses = uses, ZoneOccupancy = zones, ZonePresence = presence };
    }

    /// <summary>The door sensor changed while the controller was alone: kept as a door event for the upload.</summary>
    public OfflineEvent RecordDoor(DoorPosition position, bool requestToExit)
    {
        lock (_lock)
        {
            var doorId = Policy?.Body.Doors is { Count: > 0 } doors ? doors[0].Id : Guid.Empty;
            return Record(new OfflineEvent(0, OfflineEventType.Door, Now.ToDateTimeOffset(), doorId) { Door = position, RequestToExit = requestToExit ? true : null });
        }
    }

    /// <summary>Numbers the event, appends it to the buffer on disk, and drops the oldest when the buffer is full.</summary>
    private OfflineEvent Record(OfflineEvent e)
    {
        var numbered = e with { Sequence = _memory.NextSequence };
        _memory = _memory with { NextSequence = numbered.Sequence + 1 };
        _files.AppendEvents([numbered]);
        _events.Add(numbered);
        if (_events.Count > BufferLimit)
        {
            var over = _events.Count - BufferLimit;
            _events = _events[over..];
            _files.ReplaceEvents(_events);
            _memory = _memory with { Dropped = _memory.Dropped + over };
        }
        Save(_memory);
        return numbered;
    }

    /// <summary>The oldest buffered events, as many as fit one <c>events</c> message.</summary>
    public EventsMessage? NextBatch(int maxBytes = DeviceProtocol.MaxEventsPayloadBytes)
    {
        lock (_lock)
        {
            if (_events.Count == 0) return null;
            var take = Math.Min(_events.Count, 1000);
            while (true)
            {
                var batch = new EventsMessage([.. _events.Take(take)], _memory.Dropped > 0 ? _memory.Dropped : null);
                if (take == 1 || DeviceProtocol.Serialize(batch).Length <= maxBytes) return batch;
                take /= 2;
            }
        }
    }

    /// <summary>The server stored every event up to <paramref name="upTo"/>: they are forgotten.</summary>
    public int Acknowledge(long upTo)
    {
        lock (_lock)
        {
            var before = _events.Count;
            _events = [.. _events.Where(e => e.Sequence > upTo)];
            if (_events.Count != before) _files.ReplaceEvents(_events);
            return before - _events.Count;
        }
    }

    private void Save(ControllerMemory memory)
    {
        _memory = memory;
        _files.SaveMemory(memory);
    }
}
