using FsCheck;
using FsCheck.Fluent;
using MQTTnet;
using Portier.Core.Devices;
using Portier.Core.Model;
using Portier.Server.Tests.Devices;
using Portier.Server.Tests.Infrastructure;

namespace Portier.Server.Tests.Fuzzing;

/// <summary>
/// Edited device messages from a paired controller whose site has no credential at all: whatever
/// arrives on its scan, ack, heartbeat and state topics (or a topic it may not use), the broker
/// answers, the connection stays up, no unlock is ever sent and no attempt is granted.
/// </summary>
public abstract class MqttPayloadFuzzTests(PortierServer server)
{
    [Fact]
    public async Task EditedMessages_NeverUnlock_AndTheControllerStaysConnected()
    {
        var siteId = await server.Admin().CreateSiteAsync("MQTT fuzz");
        var paired = await server.CreatePairedDeviceAsync(await server.CreateDoorAsync(siteId));
        await using var device = await server.ConnectAsync(paired);
        var (unlocks, answers, scansTaken) = (0, 0, 0);
        device.Client.ApplicationMessageReceivedAsync += e =>
        {
            if (DeviceProtocol.TryDeserialize<CommandMessage>(System.Buffers.BuffersExtensions.ToArray(e.ApplicationMessage.Payload), out var command, out _))
            {
                if (command.Type == CommandType.Unlock) Interlocked.Increment(ref unlocks);
                if (command.ScanId is not null) Interlocked.Increment(ref answers);
                // As a controller does, so each scan's answer completes instead of waiting out its deadline.
                // Not awaited: this handler runs on the connection's receive loop, which must read the PUBACK.
                _ = device.AckAsync(command.CommandId);
            }
            return Task.CompletedTask;
        };

        var at = server.Clock.GetUtcNow();
        var seedScanId = Guid.NewGuid();
        byte[] Valid(DeviceMessage message) => DeviceProtocol.Serialize(message);
        var topics = new (DeviceTopic Topic, int Weight, byte[][] Valid)[]
        {
            (DeviceTopic.Scan, 6, [.. Enum.GetValues<CredentialKind>().Select(kind => Valid(new ScanMessage(seedScanId, new PresentedCredential(kind, "1234"), at, "reader-1")))]),
            (DeviceTopic.Ack, 2, [Valid(new AckMessage(Guid.NewGuid(), at, true))]),
            (DeviceTopic.Heartbeat, 1, [Valid(new HeartbeatMessage(at, "2.4.1", "PX-200"))]),
            (DeviceTopic.State, 1, [Valid(new StateMessage(DoorPosition.Open, at, true))]),
        };
        // Kept JSON (values replaced) or edited as bytes, half and half: both the parser and the checks behind it are reached.
        Gen<byte[]> EditsOf(byte[][] valid) => Gen.Elements(valid).SelectMany(v => JsonEdits.Around(System.Text.Json.Nodes.JsonNode.Parse(v)!));
        var ownTopic = Gen.Frequency([.. topics.Select(t => (t.Weight, Gen.Constant(DeviceProtocol.Topic(paired.Id, t.Topic)).Zip(EditsOf(t.Valid))))]);
        var foreignTopic = Gen.Elements(DeviceProtocol.Topic(Guid.NewGuid(), DeviceTopic.Scan), DeviceProtocol.Topic(paired.Id, DeviceTopic.Command), $"portier/devices/{paired.Id}/scan/x", "portier")
            .Zip(Edits.Around(topics[0].Valid));
        var run = new FuzzRun($"mqtt payloads ({server.Kind})");

        await run.RunAsync(Edits.Draw(Gen.Frequency((19, ownTopic), (1, foreignTopic)), run.Cases, run.Seed), parallel: 8, async message =>
        {
            var (topic, payload) = message;
            var isScan = topic == DeviceProtocol.Topic(paired.Id, DeviceTopic.Scan);
            // Each scan its own id, where the edits left the seed's: a repeated id is answered from the first.
            if (isScan) payload = System.Text.Encoding.UTF8.GetBytes(System.Text.Encoding.UTF8.GetString(payload).Replace(seedScanId.ToString(), Guid.NewGuid().ToString(), StringComparison.Ordinal));
            var result = await device.PublishRawAsync(topic, payload);
            if (!device.Client.IsConnected) run.Fail("disconnected", $"{topic} {System.Text.Encoding.UTF8.GetString(payload)}");
            // The broker's answer when handling the message failed: the server's 500.
            if (result.ReasonCode == MqttClientPublishReasonCode.UnspecifiedError) run.Fail("unspecified error", $"{topic} {System.Text.Encoding.UTF8.GetString(payload)}");
            // A scan the broker took is answered: decided, or refused as server_busy when the queue is full.
            if (isScan && result.ReasonCode is MqttClientPublishReasonCode.Success or MqttClientPublishReasonCode.QuotaExceeded) Interlocked.Increment(ref scansTaken);
            return result.ReasonCode.ToString();
        });

        // The queue drains at its own pace after the last publish: wait for the answers, for at most two minutes.
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (Volatile.Read(ref answers) < scansTaken && waited.Elapsed < TimeSpan.FromMinutes(2))
            await Task.Delay(50, TestContext.Current.CancellationToken);
        Assert.True(answers >= scansTaken, $"{answers} answers for {scansTaken} scans taken");
        var grants = await FuzzChecks.GrantsAsync(server, siteId);
        run.AssertClean($", {unlocks} unlocks, {grants} grants");
        Assert.Equal(0, unlocks);
        Assert.Equal(0, grants);
    }
}

public sealed class MqttPayloadFuzzSqliteTests(SqliteServerFixture fixture) : MqttPayloadFuzzTests(fixture.Server), IClassFixture<SqliteServerFixture>;

public sealed class MqttPayloadFuzzPostgresTests(PostgresServerFixture fixture) : MqttPayloadFuzzTests(fixture.Server), IClassFixture<PostgresServerFixture>;
