using System.ComponentModel.DataAnnotations;

namespace Portier.Server.Infrastructure.Mqtt;

/// <summary>Embedded: the server is the broker. External: the server is a client of another broker (e.g. Mosquitto).</summary>
public enum MqttMode { Embedded, External }

public sealed class MqttOptions
{
    public const string Section = "Mqtt";

    public MqttMode Mode { get; set; } = MqttMode.Embedded;

    /// <summary>Embedded: the address the broker listens on. External: the broker to connect to.</summary>
    [Required]
    public string Host { get; set; } = "127.0.0.1";

    [Range(1, 65535)]
    public int Port { get; set; } = 1883;

    /// <summary>The broker address handed to devices at pairing when it differs from <see cref="Host"/> (e.g. a LAN name).</summary>
    public string? AdvertisedHost { get; set; }

    /// <summary>
    /// External mode: the server's own client identity and credentials at the broker. Each node needs a
    /// client id of its own (a broker ends the older session of a reused one), hence the machine name and
    /// process id in the default, which also keeps two nodes on one machine apart.
    /// </summary>
    [Required]
    public string ClientId { get; set; } = $"portier-server-{Environment.MachineName}-{Environment.ProcessId}";

    public string? Username { get; set; }

    /// <summary>
    /// External mode: the MQTT 5 shared-subscription group the server's nodes join
    /// (<c>$share/{group}/portier/devices/+/...</c>), so each device message is handled by exactly one node.
    /// Every node of one installation uses the same group.
    /// </summary>
    [Required, RegularExpression(@"^[^/+#]+$", ErrorMessage = "The shared subscription group may not contain '/', '+' or '#'.")]
    public string SharedGroup { get; set; } = "portier";

    public string? Password { get; set; }
}
