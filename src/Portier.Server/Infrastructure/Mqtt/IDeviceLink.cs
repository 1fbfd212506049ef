using Microsoft.Extensions.Diagnostics.HealthChecks;
using MQTTnet;
using MQTTnet.Protocol;
using Portier.Core.Devices;

namespace Portier.Server.Infrastructure.Mqtt;

/// <summary>The server's side of the MQTT connection to devices, whichever broker carries it.</summary>
public interface IDeviceLink
{
    Task StartAsync(CancellationToken ct);

    Task StopAsync(CancellationToken ct);

    /// <summary>True while devices can reach the server: the embedded broker runs, or the external broker is connected.</summary>
    bool IsReady { get; }

    /// <summary>
    /// True when other server nodes share the device messages (an external broker's shared subscription):
    /// the ack of a command this node sent may then be handled by another node, which settles it in the database.
    /// </summary>
    bool SharedAcrossNodes { get; }

    /// <summary>Publishes a command to <c>portier/devices/{id}/command</c>; false when the broker could not take it.</summary>
    Task<bool> PublishCommandAsync(Guid deviceId, CommandMessage command, CancellationToken ct) =>
        PublishAsync(deviceId, DeviceTopic.Command, DeviceProtocol.Serialize(command), ct);

    /// <summary>Publishes a payload on one of the device's server-to-device topics, at least once; false when the broker could not take it.</summary>
    Task<bool> PublishAsync(Guid deviceId, DeviceTopic topic, ReadOnlyMemory<byte> payload, CancellationToken ct);

    /// <summary>Ends the device's session at once (embedded broker); with an external broker that is the broker's job.</summary>
    Task DisconnectAsync(Guid deviceId);
}

/// <summary>Ready reports the device link: degraded (not failed) without it, since the API still works.</summary>
public sealed class MqttHealthCheck(IDeviceLink link) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(link.IsReady
            ? HealthCheckResult.Healthy()
            : HealthCheckResult.Degraded("The MQTT broker is not reachable; devices cannot be commanded."));
}

/// <summary>Starts and stops whichever link the configuration chose.</summary>
public sealed class MqttGateway(IDeviceLink link) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => link.StartAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => link.StopAsync(cancellationToken);

    /// <summary>
    /// A message on one of the device's server-to-device topics, at least once: a command id, a bundle
    /// version or an event sequence makes a duplicate harmless.
    /// </summary>
    public static MqttApplicationMessage ToDevice(Guid deviceId, DeviceTopic topic, ReadOnlyMemory<byte> payload) =>
        DeviceProtocol.IsServerToDevice(topic)
            ? new MqttApplicationMessageBuilder()
                .WithTopic(DeviceProtocol.Topic(deviceId, topic))
                .WithPayload(new System.Buffers.ReadOnlySequence<byte>(payload))
                .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
                .Build()
            : throw new ArgumentOutOfRangeException(nameof(topic), topic, "Only the device publishes on this topic.");
}
