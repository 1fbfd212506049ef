using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Portier.Core.Model;

namespace Portier.Core.Devices;

/// <summary>
/// The MQTT contract between the server and door controllers. Topics live under
/// <c>portier/devices/{deviceId}/</c>; payloads are UTF-8 JSON objects of at most
/// <see cref="MaxPayloadBytes"/> (<see cref="MaxEventsPayloadBytes"/> for uploaded events) carrying
/// their version as <c>"v"</c>: 1 for the messages every controller speaks, 2 for offline mode
/// (sync, time, bundle, bundle-ack, events, events-ack). The bundle is binary (see
/// <see cref="Bundles.BundleCodec"/>). See docs/device-protocol.md.
/// </summary>
public static class DeviceProtocol
{
    public const int Version = 1;
    /// <summary>Offline mode: controllers that hold bundles and upload the events they decided alone.</summary>
    public const int OfflineVersion = 2;
    public const int MaxPayloadBytes = 4096;
    /// <summary>An upload of buffered events: a controller sends its buffer in batches up to this size.</summary>
    public const int MaxEventsPayloadBytes = 256 * 1024;
    public const string TopicRoot = "portier/devices";

    public static readonly JsonSerializerOptions Json = CreateJsonOptions();

    public static string TopicPrefix(Guid deviceId) => $"{TopicRoot}/{deviceId}/";

    public static string Topic(Guid deviceId, DeviceTopic topic) => TopicPrefix(deviceId) + Name(topic);

    public static string Name(DeviceTopic topic) => topic switch
    {
        DeviceTopic.Heartbeat => "heartbeat",
        DeviceTopic.Scan => "scan",
        DeviceTopic.Ack => "ack",
        DeviceTopic.State => "state",
        DeviceTopic.Command => "command",
        DeviceTopic.Status => "status",
        DeviceTopic.Sync => "sync",
        DeviceTopic.Time => "time",
        DeviceTopic.Bundle => "bundle",
        DeviceTopic.BundleAck => "bundle-ack",
        DeviceTopic.Events => "events",
        DeviceTopic.EventsAck => "events-ack",
        DeviceTopic.Input => "input",
        _ => throw new ArgumentOutOfRangeException(nameof(topic)),
    };

    /// <summary>Topics only the server publishes and a controller subscribes to (its own, and no other's).</summary>
    public static bool IsServerToDevice(DeviceTopic topic) => topic is DeviceTopic.Command or DeviceTopic.Time or DeviceTopic.Bundle or DeviceTopic.EventsAck;

    /// <summary>The largest payload the server reads on a device-to-server topic.</summary>
    public static int MaxPayloadBytesFor(DeviceTopic topic) => topic == DeviceTopic.Events ? MaxEventsPayloadBytes : MaxPayloadBytes;

    /// <summary>Splits <c>portier/devices/{id}/{topic}</c>; anything else (wildcards, extra levels) is not a device topic.</summary>
    public static bool TryParseTopic(string? topic, out Guid deviceId, out DeviceTopic kind)
    {
        deviceId = Guid.Empty;
        kind = default;
        if (topic is null || !topic.StartsWith(TopicRoot + "/", StringComparison.Ordinal)) return false;
        var parts = topic[(TopicRoot.Length + 1)..].Split('/');
        if (parts.Length != 2 || !Guid.TryParseExact(parts[0], "D", out deviceId)) return false;
        if (parts[0] != deviceId.ToString()) return false;
        foreach (var candidate in Enum.GetValues<DeviceTopic>())
        {
            if (Name(candidate) != parts[1]) continue;
            kind = candidate;
            return true;
        }
        return false;
    }

    public static byte[] Serialize(DeviceMessage message) => JsonSerializer.SerializeToUtf8Bytes(message, message.GetType(), Json);

    /// <summary>
    /// Reads a message, refusing oversized payloads, invalid JSON, missing required fields and
    /// versions this message does not come in (1 or 2 for the first messages, 2 for offline mode's).
    /// The error is a short reason for the log.
    /// </summary>
    public static bool TryDeserialize<T>(ReadOnlySpan<byte> payload, [NotNullWhen(true)] out T? message, out string error, int maxPayloadBytes = MaxPayloadBytes)
        where T : DeviceMessage
    {
        message = null;
        if (payload.Length > maxPayloadBytes)
        {
            error = $"payload of {payload.Length} bytes exceeds {maxPayloadBytes}";
            return false;
        }
        try
        {
            message = JsonSerializer.Deserialize<T>(payload, Json);
        }
        catch (JsonException e)
        {
            error = $"invalid JSON: {e.Message}";
            return false;
        }
        if (message is null)
        {
            error = "empty message";
            return false;
        }
        if (message.V < message.FirstVersion || message.V > OfflineVersion)
        {
            error = $"unsupported version {message.V}";
            message = null;
            return false;
        }
        error = "";
        return true;
    }

    private static JsonSerializerOptions CreateJsonOptions()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web)
        {
            DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
            RespectNullableAnnotations = true,
            RespectRequiredConstructorParameters = true,
            TypeInfoResolver = new DefaultJsonTypeInfoResolver(),
        };
        options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower, allowIntegerValues: false));
        options.Converters.Add(new StoredTextConverter());
        options.MakeReadOnly();
        return options;
    }
}

public enum DeviceTopic { Heartbeat, Scan, Ack, State, Command, Status, Sync, Time, Bundle, BundleAck, Events, EventsAck, Input }

/// <summary>Every message carries the protocol version first, as <c>"v"</c>; it is required on input.</summary>
public abstract record DeviceMessage
{
    protected DeviceMessage() : this(DeviceProtocol.Version) { }

    /// <summary>For messages that first appear in a later version of the protocol: they carry that version.</summary>
    protected DeviceMessage(int firstVersion)
    {
        FirstVersion = firstVersion;
        V = firstVersion;
    }

    [JsonRequired, JsonPropertyOrder(-1)]
    public int V { get; init; }

    /// <summary>The protocol version this message was introduced in; older versions are refused for it.</summary>
    [JsonIgnore]
    public int FirstVersion { get; }
}

/// <summary>
/// Device → server, periodically (every 30 s is typical); five minutes without one means offline.
/// <see cref="SentAt"/> is the controller's own clock: more than a minute off the server's flags the controller.
/// </summary>
public sealed record HeartbeatMessage(DateTimeOffset SentAt, string? Firmware = null, string? Model = null) : DeviceMessage;

/// <summary>
/// Device → server through the broker: the controller's connection. Set as the MQTT Last Will with
/// <c>online: false</c>, so the broker tells the server at once when the connection drops. Coming
/// online is a heartbeat's job: <c>online: true</c> is accepted and changes nothing.
/// </summary>
public sealed record StatusMessage(bool Online) : DeviceMessage;

/// <summary>What was presented at a reader: the kind and the raw value (card number, PIN digits, QR payload).</summary>
public sealed record PresentedCredential(CredentialKind Kind, string Value);

/// <summary>
/// Device → server: a credential presented at a reader. The answer is a command carrying the same scanId.
/// <see cref="ReaderId"/> names the controller's reader (1–64 characters): a reader registered for the
/// controller places the scan at that reader's door, with its direction.
/// </summary>
public sealed record ScanMessage(Guid ScanId, PresentedCredential Credential, DateTimeOffset At, string? ReaderId = null) : DeviceMessage;

/// <summary>What a command asks the controller to do.</summary>
public enum CommandType { Unlock, Deny, LatchOpen, Release, LockDown }

/// <summary>
/// Server → device. The controller acts only before <see cref="Deadline"/> and acknowledges with
/// the same commandId; a command past its deadline must be dropped, never acted on.
/// <see cref="DoorId"/> names the door to act on when the controller serves more than one (through
/// its readers); absent, the command is for the controller's one door.
/// </summary>
public sealed record CommandMessage(
    Guid CommandId,
    CommandType Type,
    DateTimeOffset Deadline,
    int? HoldSeconds = null,
    string? Reason = null,
    Guid? ScanId = null,
    Guid? DoorId = null) : DeviceMessage;

/// <summary>Device → server: the command was carried out (ok) or could not be (not ok).</summary>
public sealed record AckMessage(Guid CommandId, DateTimeOffset At, bool Ok) : DeviceMessage;

public enum DoorPosition { Open, Closed }

/// <summary>Device → server: the door sensor changed (and whether a request-to-exit button was pressed).</summary>
public sealed record StateMessage(DoorPosition Door, DateTimeOffset At, bool? RequestToExit = null) : DeviceMessage;

/// <summary>
/// Device → server (v2), on every connection after the first heartbeat: the bundle version the
/// controller holds (null = none) and the next event sequence it will use. The server answers on
/// <c>time</c> with its clock, sends a full bundle when the controller's is older than the server's,
/// and the controller then uploads its buffered events. <c>bundleVersion</c> is always present, <c>null</c> when none.
/// </summary>
public sealed record SyncMessage([property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] long? BundleVersion, long NextEventSequence, DateTimeOffset SentAt) : DeviceMessage(DeviceProtocol.OfflineVersion);

/// <summary>Server → device (v2): the server's clock, for the controller to set its own by (offline decisions are stamped with it).</summary>
public sealed record TimeMessage(DateTimeOffset Now) : DeviceMessage(DeviceProtocol.OfflineVersion);

/// <summary>
/// Device → server (v2): a bundle was applied (<see cref="Ok"/>, the version now in force) or refused
/// (<see cref="Error"/> says why; the controller keeps its last good bundle and <see cref="Version"/> is that one's).
/// </summary>
/// <summary>
/// Device → server (v2): a physical input of the controller was triggered, such as a lockdown button.
/// <see cref="Input"/> names it: <c>lockdown</c> or <c>evacuation</c> start the plans of that kind that
/// name this controller among their triggers. <see cref="SentAt"/> is the controller's clock.
/// </summary>
public sealed record InputMessage(string Input, DateTimeOffset SentAt) : DeviceMessage(DeviceProtocol.OfflineVersion)
{
    public const string Lockdown = "lockdown";
    public const string Evacuation = "evacuation";
}

public sealed record BundleAckMessage(long Version, bool Ok, string? Error = null) : DeviceMessage(DeviceProtocol.OfflineVersion);

/// <summary>What happened at a controller while it decided on its own.</summary>
public enum OfflineEventType { Access, Door }

/// <summary>
/// One event a controller recorded on its own, numbered by the controller (1, 2, 3 … never reused).
/// Access: the reader, the door, the credential's kind and its bundle id when found (never the
/// presented value), the person, and the decision (allowed, reason code, path code). Door: the door and the sensor's
/// position (and whether request-to-exit was pressed). <see cref="At"/> is the controller's clock.
/// </summary>
public sealed record OfflineEvent(long Sequence, OfflineEventType Type, DateTimeOffset At, Guid DoorId)
{
    public string? ReaderId { get; init; }
    public CredentialKind? CredentialKind { get; init; }
    public Guid? CredentialId { get; init; }
    public Guid? PersonId { get; init; }
    public bool? Allowed { get; init; }
    public string? Reason { get; init; }
    public string? Path { get; init; }
    public DoorPosition? Door { get; init; }
    public bool? RequestToExit { get; init; }
    /// <summary>The bundle version the decision was made with.</summary>
    public long? BundleVersion { get; init; }
}

/// <summary>
/// Device → server (v2): a batch of buffered events in sequence order. <see cref="Dropped"/>: how many
/// events the controller has discarded in all, oldest first, because its buffer was full (a running total,
/// so a repeated batch changes nothing); absent = none.
/// </summary>
public sealed record EventsMessage(IReadOnlyList<OfflineEvent> Events, long? Dropped = null) : DeviceMessage(DeviceProtocol.OfflineVersion);

/// <summary>Server → device (v2): every event up to and including <see cref="UpTo"/> is stored; the controller may forget them.</summary>
public sealed record EventsAckMessage(long UpTo) : DeviceMessage(DeviceProtocol.OfflineVersion);
