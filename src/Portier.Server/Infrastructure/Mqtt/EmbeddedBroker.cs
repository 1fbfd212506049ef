using System.Net;
using Microsoft.Extensions.Options;
using MQTTnet;
using MQTTnet.Protocol;
using MQTTnet.Server;
using Portier.Core.Devices;
using Portier.Server.Infrastructure.Logging;

namespace Portier.Server.Infrastructure.Mqtt;

/// <summary>
/// The MQTTnet broker inside the server. Devices log in with the credentials issued at pairing
/// (username = client id = device id); each may publish only under its own topics and subscribe
/// only to its own command topic. Device messages are consumed here, never forwarded; commands
/// are injected by the server itself. A device's connection ending (other than taken over by its own
/// new connection, or the broker stopping) is reported to the inbox at once.
/// </summary>
public sealed partial class EmbeddedBroker(
    IOptions<MqttOptions> options,
    IServiceProvider services,
    ILogger<EmbeddedBroker> logger) : IDeviceLink, IDisposable
{
    private MqttServer? _server;
    private IDeviceInbox? _inbox;
    private volatile bool _stopping;

    public bool IsReady => _server is { IsStarted: true };

    public bool SharedAcrossNodes => false;

    private MqttServer Server => _server ?? throw new InvalidOperationException("The MQTT broker has not started.");

    public async Task StartAsync(CancellationToken ct)
    {
        var o = options.Value;
        // Resolved here rather than injected: the inbox sends commands through this link.
        _inbox = services.GetRequiredService<IDeviceInbox>();
        var address = IPAddress.TryParse(o.Host, out var ip) ? ip : (await Dns.GetHostAddressesAsync(o.Host, ct))[0];
        // One listener on exactly the configured address: MQTTnet otherwise also listens on every IPv6 interface.
        var ipv6 = address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6;
        var serverOptions = new MqttServerOptionsBuilder()
            .WithDefaultEndpoint()
            .WithDefaultEndpointBoundIPAddress(ipv6 ? IPAddress.None : address)
            .WithDefaultEndpointBoundIPV6Address(ipv6 ? address : IPAddress.None)
            .WithDefaultEndpointPort(o.Port)
            .Build();
        _server = new MqttServerFactory().CreateMqttServer(serverOptions);
        _server.ValidatingConnectionAsync += ValidateConnectionAsync;
        _server.InterceptingPublishAsync += InterceptPublishAsync;
        _server.InterceptingSubscriptionAsync += InterceptSubscriptionAsync;
        _server.ClientDisconnectedAsync += ClientDisconnectedAsync;
        await _server.StartAsync();
        LogStarted(logger, address, o.Port);
    }

    /// <summary>Safe alongside <see cref="Dispose"/>: the host may dispose while stopping, and only one of them stops the broker.</summary>
    public async Task StopAsync(CancellationToken ct)
    {
        _stopping = true;
        if (Interlocked.Exchange(ref _server, null) is not { } server) return;
        try
        {
            if (server.IsStarted) await server.StopAsync(new MqttServerStopOptions());
        }
        catch (InvalidOperationException e)
        {
            LogStopFailed(logger, e);
        }
        finally
        {
            server.Dispose();
        }
    }

    public async Task<bool> PublishAsync(Guid deviceId, DeviceTopic topic, ReadOnlyMemory<byte> payload, CancellationToken ct)
    {
        var message = MqttGateway.ToDevice(deviceId, topic, payload);
        await Server.InjectApplicationMessage(
            new InjectedMqttApplicationMessage(message) { SenderClientId = options.Value.ClientId }, ct);
        return true;
    }

    public async Task DisconnectAsync(Guid deviceId)
    {
        var id = deviceId.ToString();
        foreach (var client in await Server.GetClientsAsync())
        {
            if (client.Id != id) continue;
            await client.DisconnectAsync(new MqttServerClientDisconnectOptions
            {
                ReasonCode = MqttDisconnectReasonCode.AdministrativeAction,
                ReasonString = "device unpaired",
            });
            LogDisconnected(logger, deviceId);
        }
    }

    private async Task ValidateConnectionAsync(ValidatingConnectionEventArgs e)
    {
        // The client id must be the device id so that one device cannot hold another's session.
        if (Guid.TryParseExact(e.UserName, "D", out var deviceId) && e.ClientId == deviceId.ToString()
            && await _inbox!.AcceptsLoginAsync(deviceId, e.Password, e.CancellationToken))
        {
            e.ReasonCode = MqttConnectReasonCode.Success;
            return;
        }
        e.ReasonCode = MqttConnectReasonCode.BadUserNameOrPassword;
        LogConnectionRefused(logger, LogSafe.Escape(e.ClientId), LogSafe.Escape(e.UserName), e.RemoteEndPoint?.ToString());
    }

    private async Task InterceptPublishAsync(InterceptingPublishEventArgs e)
    {
        if (e.ClientId == options.Value.ClientId) return;
        var topic = e.ApplicationMessage.Topic;
        e.ProcessPublish = false;
        if (!DeviceProtocol.TryParseTopic(topic, out var deviceId, out var kind)
            || deviceId.ToString() != e.ClientId || DeviceProtocol.IsServerToDevice(kind))
        {
            e.Response.ReasonCode = MqttPubAckReasonCode.NotAuthorized;
            LogPublishRefused(logger, LogSafe.Escape(e.ClientId), LogSafe.Escape(topic));
            return;
        }
        InboundOutcome outcome;
        try
        {
            outcome = await _inbox!.HandleAsync(deviceId, kind, e.ApplicationMessage.Payload, e.CancellationToken);
        }
        catch (Exception failure) when (failure is not OperationCanceledException)
        {
            // An exception escaping the interceptor would close the controller's connection; one message failing must not.
            LogPublishFailed(logger, deviceId, kind, failure);
            e.Response.ReasonCode = MqttPubAckReasonCode.UnspecifiedError;
            return;
        }
        e.Response.ReasonCode = outcome switch
        {
            InboundOutcome.Accepted => MqttPubAckReasonCode.Success,
            InboundOutcome.Malformed => MqttPubAckReasonCode.PayloadFormatInvalid,
            InboundOutcome.Refused => MqttPubAckReasonCode.ImplementationSpecificError,
            InboundOutcome.UnknownDevice => MqttPubAckReasonCode.NotAuthorized,
            InboundOutcome.Busy => MqttPubAckReasonCode.QuotaExceeded,
            _ => MqttPubAckReasonCode.UnspecifiedError,
        };
    }

    /// <summary>
    /// A device's connection ended: dropped, closed by the device, or ended by the server (unpairing).
    /// Not a takeover (the device reconnected and its new connection replaced the old one), and not
    /// the broker stopping with the server.
    /// </summary>
    private async Task ClientDisconnectedAsync(ClientDisconnectedEventArgs e)
    {
        if (_stopping || e.DisconnectType == MqttClientDisconnectType.Takeover || !Guid.TryParseExact(e.ClientId, "D", out var deviceId)) return;
        try
        {
            await _inbox!.ConnectionLostAsync(deviceId, CancellationToken.None);
        }
        catch (Exception ex)
        {
            LogConnectionLostFailed(logger, deviceId, ex);
        }
    }

    private Task InterceptSubscriptionAsync(InterceptingSubscriptionEventArgs e)
    {
        var allowed = Guid.TryParseExact(e.ClientId, "D", out var deviceId)
            && DeviceProtocol.TryParseTopic(e.TopicFilter.Topic, out var topicDevice, out var kind)
            && topicDevice == deviceId && DeviceProtocol.IsServerToDevice(kind);
        if (!allowed)
        {
            e.ProcessSubscription = false;
            e.Response.ReasonCode = MqttSubscribeReasonCode.NotAuthorized;
            LogSubscriptionRefused(logger, LogSafe.Escape(e.ClientId), LogSafe.Escape(e.TopicFilter.Topic));
        }
        return Task.CompletedTask;
    }

    public void Dispose() => Interlocked.Exchange(ref _server, null)?.Dispose();

    [LoggerMessage(Level = LogLevel.Information, Message = "Embedded MQTT broker listening on {Address}:{Port}")]
    private static partial void LogStarted(ILogger logger, IPAddress address, int port);

    [LoggerMessage(Level = LogLevel.Warning, Message = "MQTT connection refused for client {ClientId} (user {UserName}) from {Remote}")]
    private static partial void LogConnectionRefused(ILogger logger, string clientId, string userName, string? remote);

    [LoggerMessage(Level = LogLevel.Warning, Message = "MQTT publish refused: client {ClientId} may not publish to {Topic}")]
    private static partial void LogPublishRefused(ILogger logger, string clientId, string topic);

    [LoggerMessage(Level = LogLevel.Error, Message = "Handling a {Kind} message from device {DeviceId} failed; answered unspecified error")]
    private static partial void LogPublishFailed(ILogger logger, Guid deviceId, DeviceTopic kind, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "MQTT subscription refused: client {ClientId} may not subscribe to {Topic}")]
    private static partial void LogSubscriptionRefused(ILogger logger, string clientId, string topic);

    [LoggerMessage(Level = LogLevel.Error, Message = "Recording that device {DeviceId} lost its connection failed; the five-minute heartbeat rule will record it")]
    private static partial void LogConnectionLostFailed(ILogger logger, Guid deviceId, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The MQTT broker did not stop cleanly")]
    private static partial void LogStopFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "Disconnected device {DeviceId} from the MQTT broker")]
    private static partial void LogDisconnected(ILogger logger, Guid deviceId);
}
