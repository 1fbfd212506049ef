using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Portier.Core.Model;

namespace Portier.Core.Devices;

/// <summary>
/// The MQTT contract between the server and door controllers, version 1. Topics live under
/// <c>portier/devices/{deviceId}/</c>; payloads are UTF-8 JSON objects of at most
/// <see cref="MaxPayloadBytes"/> carrying <c>"v": 1</c>. See docs/device-protocol.md.
/// </summary>
public static class DeviceProtocol
{
    public const int Version = 1;
    public const int MaxPayloadBytes = 4096;
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
        _ => throw new ArgumentOutOfRangeException(nameof(topic)),
    };

    /// <summary>Splits <c>portier/devices/{id}/{topic}</c>; anything else (wildcards, extra levels) is not a device topic.</summary>
    public static bool TryParseTopic(string? topic, out Guid deviceId, out DeviceTopic kind)
    {
        deviceId = Guid.Empty;
        kind = default;
        if (topic is null || !topic.StartsWith(TopicRoot + "/", StringComparison.Ordinal)) return false;
        var parts = topic[(TopicRoot.Length + 1)..].Split('/');
        if (parts.Length != 2 || !Guid.TryParseExact(parts[0], "D", out deviceId)) return false;
        if (parts[0] != deviceId.ToString()) return false;
        DeviceTopic? parsed = parts[1] switch
        {
            "heartbeat" => DeviceTopic.Heartbeat,
            "scan" => DeviceTopic.Scan,
            "ack" => DeviceTopic.Ack,
            "state" => DeviceTopic.State,
            "command" => DeviceTopic.Command,
            "status" => DeviceTopic.Status,
            _ => null,
        };
        if (parsed is null) return false;
        kind = parsed.Value;
        return true;
    }

    public static byte[] Serialize(DeviceMessage message) => JsonSerializer.SerializeToUtf8Bytes(message, message.GetType(), Json);

    /// <summary>
    /// Reads a message, refusing oversized payloads, invalid JSON, missing required fields and
    /// versions other than <see cref="Version"/>. The error is a short reason for the log.
    /// </summary>
    public static bool TryDeserialize<T>(ReadOnlySpan<byte> payload, [NotNullWhen(true)] out T? message, out string error)
        where T : DeviceMessage
    {
        message = null;
        if (payload.Length > MaxPayloadBytes)
        {
            error = $"payload of {payload.Length} bytes exceeds {MaxPayloadBytes}";
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
        if (message.V != Version)
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

public enum DeviceTopic { Heartbeat, Scan, Ack, State, Command, Status }

/// <summary>Every message carries the protocol version first, as <c>"v"</c>; it is required on input.</summary>
public abstract record DeviceMessage
{
    [JsonRequired, JsonPropertyOrder(-1)]
    public int V { get; init; } = DeviceProtocol.Version;
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
