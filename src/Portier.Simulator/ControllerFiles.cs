using System.Text;
using System.Text.Json;
using NodaTime;
using Portier.Core.Decisions;
using Portier.Core.Devices;

namespace Portier.Simulator;

/// <summary>The site's keys a controller learns at pairing: the bundle signature key and the credential hashing key (base64).</summary>
public sealed record ControllerKeys(string PublicKey, string CredentialKey, Guid? SiteId = null);

/// <summary>What a controller keeps between runs besides its bundle and its event buffer.</summary>
public sealed record ControllerMemory
{
    public DateTimeOffset? LastHeardFromServer { get; init; }
    public long NextSequence { get; init; } = 1;
    /// <summary>The server's clock minus this machine's, from the last <c>time</c> message.</summary>
    public long ClockOffsetMilliseconds { get; init; }
    /// <summary>Events discarded, oldest first, because the buffer was full; a running total sent with every upload.</summary>
    public long Dropped { get; init; }
    /// <summary>People counted into each zone by this controller's own grants (entries minus exits, never below 0).</summary>
    public Dictionary<Guid, int> ZoneOccupancy { get; init; } = [];
    /// <summary>Uses of each credential this controller granted since the bundle it was counting against.</summary>
    public Dictionary<Guid, int> CredentialUses { get; init; } = [];
    /// <summary>
    /// Per zone, where this controller saw each person last pass since it last decided with the server:
    /// the presence its anti-passback goes by when it decides alone.
    /// </summary>
    public Dictionary<Guid, Dictionary<Guid, SeenPassage>> ZonePresence { get; init; } = [];
    public DateTimeOffset? LastOfflineDecisionAt { get; init; }
}

/// <summary>A person's last passage through a zone's door at this controller: in or out, and their last entry.</summary>
public sealed record SeenPassage(bool Inside, DateTimeOffset? LastEntryAt)
{
    public ZonePresence ToPresence() =>
        new(Inside ? PresenceState.Inside : PresenceState.Outside, LastEntryAt is { } entry ? Instant.FromDateTimeOffset(entry) : null);
}

/// <summary>
/// One controller's files, in a folder of its own next to the credentials file
/// (<c>devices.state/{deviceId}/</c> for <c>devices.json</c>). Every file is replaced by writing a
/// temporary file and renaming it over the old one, so a process killed mid-write leaves the old
/// file whole; the event buffer is appended line by line and a torn last line is ignored on load.
/// </summary>
public sealed class ControllerFiles(string folder)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };
    private const string KeysFile = "keys.json";
    private const string MemoryFile = "state.json";
    private const string EventsFile = "events.jsonl";
    private const string BundlePrefix = "bundle-";

    public string Folder { get; } = folder;

    public static ControllerFiles For(string credentialsFile, Guid deviceId)
    {
        var full = Path.GetFullPath(credentialsFile);
        return new ControllerFiles(Path.Combine(Path.GetDirectoryName(full)!, Path.GetFileNameWithoutExtension(full) + ".state", deviceId.ToString()));
    }

    public ControllerKeys? LoadKeys() => Read<ControllerKeys>(KeysFile);

    public void SaveKeys(ControllerKeys keys) => Write(KeysFile, JsonSerializer.SerializeToUtf8Bytes(keys, Json));

    public ControllerMemory LoadMemory() => Read<ControllerMemory>(MemoryFile) ?? new ControllerMemory();

    public void SaveMemory(ControllerMemory memory) => Write(MemoryFile, JsonSerializer.SerializeToUtf8Bytes(memory, Json));

    /// <summary>The full bundle and the deltas applied after it, each exactly as received, in order.</summary>
    public List<byte[]> LoadBundles()
    {
        if (!Directory.Exists(Folder)) return [];
        return [.. Directory.GetFiles(Folder, BundlePrefix + "*.bin")
            .Select(path => (Path: path, Index: int.TryParse(Path.GetFileNameWithoutExtension(path)[BundlePrefix.Length..], out var i) ? i : -1))
            .Where(f => f.Index >= 0).OrderBy(f => f.Index).Select(f => File.ReadAllBytes(f.Path))];
    }

    /// <summary>Keeps a bundle that applied: a full one replaces everything kept, a delta goes after the others.</summary>
    public void SaveBundle(byte[] payload, bool full)
    {
        var held = LoadBundles().Count;
        var index = full ? 0 : held;
        Write($"{BundlePrefix}{index:D6}.bin", payload);
        if (!full) return;
        for (var i = 1; i < held; i++) File.Delete(Path.Combine(Folder, $"{BundlePrefix}{i:D6}.bin"));
    }

    public List<OfflineEvent> LoadEvents()
    {
        var path = Path.Combine(Folder, EventsFile);
        if (!File.Exists(path)) return [];
        var events = new List<OfflineEvent>();
        var torn = false;
        foreach (var line in File.ReadLines(path))
        {
            if (line.Length == 0) continue;
            try
            {
                if (JsonSerializer.Deserialize<OfflineEvent>(line, DeviceProtocol.Json) is { } e) events.Add(e);
            }
            catch (JsonException)
            {
                // The line being written when the process died: that event was never reported as recorded.
                torn = true;
            }
        }
        // Rewritten whole, so the next append starts on a line of its own.
        if (torn) ReplaceEvents(events);
        return events;
    }

    /// <summary>Appends events and flushes them to disk before returning.</summary>
    public void AppendEvents(IEnumerable<OfflineEvent> events)
    {
        Directory.CreateDirectory(Folder);
        using var stream = new FileStream(Path.Combine(Folder, EventsFile), FileMode.Append, FileAccess.Write, FileShare.Read);
        stream.Write(Lines(events));
        stream.Flush(flushToDisk: true);
    }

    /// <summary>Replaces the buffer with <paramref name="events"/> (after an acknowledgement or a drop).</summary>
    public void ReplaceEvents(IReadOnlyList<OfflineEvent> events) => Write(EventsFile, Lines(events));

    /// <summary>One event per line, as the device protocol writes it.</summary>
    private static byte[] Lines(IEnumerable<OfflineEvent> events)
    {
        var text = new StringBuilder();
        foreach (var e in events) text.Append(JsonSerializer.Serialize(e, DeviceProtocol.Json)).Append('\n');
        return Encoding.UTF8.GetBytes(text.ToString());
    }

    private T? Read<T>(string name) where T : class
    {
        var path = Path.Combine(Folder, name);
        return File.Exists(path) ? JsonSerializer.Deserialize<T>(File.ReadAllBytes(path), Json) : null;
    }

    private void Write(string name, byte[] content)
    {
        Directory.CreateDirectory(Folder);
        var path = Path.Combine(Folder, name);
        var temporary = path + ".tmp";
        using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            stream.Write(content);
            stream.Flush(flushToDisk: true);
        }
        File.Move(temporary, path, overwrite: true);
    }
}
