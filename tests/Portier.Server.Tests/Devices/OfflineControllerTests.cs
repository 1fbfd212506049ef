extern alias simulator;

using System.Security.Cryptography;
using Microsoft.Extensions.Time.Testing;
using NodaTime;
using Portier.Core.Bundles;
using Portier.Core.Decisions;
using Portier.Core.Devices;
using Portier.Core.Model;
using Portier.Core.Policy;
using Portier.Core.Schedules;
using simulator::Portier.Simulator;

namespace Portier.Server.Tests.Devices;

/// <summary>A site with one door, one member, a valid card, a revoked card and a card with two uses, signed into bundles as the server would.</summary>
public sealed class BundleKit(Guid? siteId = null, Guid? deviceId = null, Guid? doorId = null)
{
    public const string ValidCard = "1001";
    public const string RevokedCard = "1002";
    public const string LimitedCard = "1003";

    public Guid SiteId { get; } = siteId ?? Guid.NewGuid();
    public Guid DeviceId { get; } = deviceId ?? Guid.NewGuid();
    public Guid DoorId { get; } = doorId ?? Guid.NewGuid();
    public Guid PersonId { get; } = Guid.NewGuid();
    public Guid ZoneId { get; } = Guid.NewGuid();
    public Guid ValidCardId { get; } = Guid.NewGuid();
    public Guid RevokedCardId { get; } = Guid.NewGuid();
    public Guid LimitedCardId { get; } = Guid.NewGuid();
    public byte[] Seed { get; } = RandomNumberGenerator.GetBytes(BundleSigning.SeedBytes);
    public byte[] CredentialKey { get; } = RandomNumberGenerator.GetBytes(CredentialHashing.KeyBytes);

    /// <summary>The site; with <paramref name="passback"/>, the door leads into a zone with that anti-passback.</summary>
    public PolicyDefinitions Definitions(bool revokeValid = false, PassbackRule? passback = null) => new()
    {
        Sites = [new SiteDefinition(SiteId, "Europe/Berlin", new RuleSet([new PersonTypeRule("Member", [])], [], WeeklyHours.Always))],
        Doors = [new DoorDefinition(DoorId, SiteId) { ZoneId = passback is null ? null : ZoneId }],
        Zones = passback is { } rule ? [new ZoneDefinition(ZoneId, SiteId) { Passback = rule }] : [],
        People = [new PersonDefinition(PersonId, "Member", "Current") { SiteId = SiteId }],
        Credentials =
        [
            new CredentialDefinition(ValidCardId, PersonId, CredentialKind.Card, ValidCard) { Revoked = revokeValid },
            new CredentialDefinition(RevokedCardId, PersonId, CredentialKind.Card, RevokedCard) { Revoked = true },
            new CredentialDefinition(LimitedCardId, PersonId, CredentialKind.Card, LimitedCard) { MaxUses = 2 },
        ],
    };

    public BundleBody Body(long version, DoorFailMode failMode = DoorFailMode.Secure, bool revokeValid = false, int horizonMinutes = 24 * 60, PassbackRule? passback = null) =>
        BundleBuilder.Build(Definitions(revokeValid, passback),
            new ControllerBundleSpec(SiteId, DeviceId, [new ControllerDoor(DoorId, failMode, OfflineLiveFacts.CountLocally, [new BundleReader(SimulatedDevice.DefaultReader, "card", "entry")])],
                horizonMinutes, CredentialKey),
            version, DateTimeOffset.UnixEpoch.AddYears(55));

    public byte[] Payload(BundleBody body, byte[]? seed = null) => BundleCodec.Encode(body, seed ?? Seed);

    /// <summary>A controller folder with the site's keys, as pairing leaves it; on tmpfs where there is one, since every event is synced to disk.</summary>
    public ControllerFiles Files()
    {
        var root = Directory.Exists("/dev/shm") ? "/dev/shm" : Path.GetTempPath();
        var files = new ControllerFiles(Path.Combine(root, "portier-controller-" + Guid.NewGuid().ToString("N")));
        files.SaveKeys(new ControllerKeys(Convert.ToBase64String(BundleSigning.PublicKeyOf(Seed)), Convert.ToBase64String(CredentialKey)));
        return files;
    }
}

/// <summary>The simulator's controller deciding on its own from a bundle: no server, no broker.</summary>
public sealed class OfflineControllerTests : IDisposable
{
    private readonly BundleKit _kit = new();
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.UnixEpoch.AddYears(55));
    private readonly ControllerFiles _files;
    private readonly List<string> _log = [];

    public OfflineControllerTests() => _files = _kit.Files();

    private OfflineController NewController() => new(_kit.DeviceId, _files, _clock, _log.Add);

    private OfflineController ControllerWithBundle(DoorFailMode failMode = DoorFailMode.Secure)
    {
        var controller = NewController();
        Assert.Equal((1L, (string?)null), controller.ApplyBundle(_kit.Payload(_kit.Body(1, failMode))));
        controller.SetClock(_clock.GetUtcNow());
        return controller;
    }

    [Fact]
    public void Decide_ValidAndRevokedCardsOffline_GrantsAndDeniesAndRecordsBothWithoutTheCardNumber()
    {
        var controller = ControllerWithBundle();

        var valid = controller.Decide(CredentialKind.Card, BundleKit.ValidCard, SimulatedDevice.DefaultReader);
        var revoked = controller.Decide(CredentialKind.Card, BundleKit.RevokedCard, SimulatedDevice.DefaultReader);

        Assert.True(valid.Decision.Allowed);
        Assert.Equal("unlock for 10s (offline)", valid.Describe());
        Assert.Equal(ReasonCode.CredentialRevoked, revoked.Decision.Reason);
        Assert.Equal("deny (credential_revoked, offline)", revoked.Describe());
        Assert.Equal([1L, 2L], [valid.Recorded!.Sequence, revoked.Recorded!.Sequence]);
        Assert.Equal(_kit.ValidCardId, valid.Recorded.CredentialId);
        Assert.Equal(_kit.PersonId, valid.Recorded.PersonId);
        Assert.Equal(("granted", "rule", true), (valid.Recorded.Reason, valid.Recorded.Path, valid.Recorded.Allowed));
        Assert.Equal(_kit.RevokedCardId, revoked.Recorded.CredentialId);
        Assert.Equal(_clock.GetUtcNow(), valid.Recorded.At);
        Assert.DoesNotContain(BundleKit.ValidCard, File.ReadAllText(Path.Combine(_files.Folder, "events.jsonl")));
    }

    [Fact]
    public void Decide_PastTheHorizon_RefusesEveryCredentialAndAFailSafeDoorIsReleased()
    {
        var controller = ControllerWithBundle(DoorFailMode.Safe);
        _clock.Advance(TimeSpan.FromHours(24) + TimeSpan.FromSeconds(1));

        var answer = controller.Decide(CredentialKind.Card, BundleKit.ValidCard, SimulatedDevice.DefaultReader);

        Assert.Equal(ReasonCode.OfflineHorizonPassed, answer.Decision.Reason);
        Assert.True(answer.ReleasedByFailMode);
        Assert.Equal("deny (offline_horizon_passed, offline); door released (fail-safe)", answer.Describe());
        Assert.Equal("offline_horizon_passed", answer.Recorded!.Reason);
    }

    [Fact]
    public void Decide_ALimitedCardOffline_SpendsItsUsesLocally()
    {
        var controller = ControllerWithBundle();

        var answers = Enumerable.Range(0, 3).Select(_ => controller.Decide(CredentialKind.Card, BundleKit.LimitedCard, SimulatedDevice.DefaultReader).Decision).ToList();

        Assert.Equal([true, true, false], answers.Select(a => a.Allowed));
        Assert.Equal(ReasonCode.MaxUsesReached, answers[2].Reason);
        Assert.Equal(2, controller.Memory.CredentialUses[_kit.LimitedCardId]);
    }

    [Fact]
    public void ApplyBundle_WrongSignatureOlderVersionTruncatedDeltaOrOtherSitesKey_IsRefusedLoggedAndTheLastGoodKept()
    {
        var controller = NewController();
        controller.HeardFromServer();
        controller.ApplyBundle(_kit.Payload(_kit.Body(1)));
        Assert.Equal((2L, (string?)null), controller.ApplyBundle(_kit.Payload(_kit.Body(2))));

        var forged = _kit.Payload(_kit.Body(3, revokeValid: true));
        forged[0] ^= 0xFF;
        var delta = _kit.Payload(BundleDiff.Between(_kit.Body(2), _kit.Body(3, revokeValid: true))!);
        var refused = new[]
        {
            forged,
            _kit.Payload(_kit.Body(1)),
            delta[..(delta.Length - 20)],
            _kit.Payload(_kit.Body(3, revokeValid: true) with { BaseVersion = 1 }),
            _kit.Payload(_kit.Body(3, revokeValid: true), RandomNumberGenerator.GetBytes(BundleSigning.SeedBytes)),
        }.Select(controller.ApplyBundle).ToList();

        Assert.All(refused, r => Assert.Equal(2L, r.Version));
        Assert.All(refused, r => Assert.NotNull(r.Error));
        Assert.Equal(refused.Count, _log.Count(l => l.StartsWith("refused a bundle", StringComparison.Ordinal)));
        Assert.Contains("not newer", refused[1].Error, StringComparison.Ordinal);
        Assert.True(controller.Decide(CredentialKind.Card, BundleKit.ValidCard, SimulatedDevice.DefaultReader).Decision.Allowed);

        // The good delta still applies on the version kept, and the revocation takes effect.
        Assert.Equal((3L, (string?)null), controller.ApplyBundle(delta));
        Assert.Equal(ReasonCode.CredentialRevoked, controller.Decide(CredentialKind.Card, BundleKit.ValidCard, SimulatedDevice.DefaultReader).Decision.Reason);
    }

    [Fact]
    public void ApplyBundle_TheFullBundleOfTheVersionHeld_IsAcknowledgedWithoutARefusal()
    {
        var controller = NewController();
        controller.HeardFromServer();
        controller.ApplyBundle(_kit.Payload(_kit.Body(1)));
        controller.ApplyBundle(_kit.Payload(_kit.Body(2)));

        Assert.Equal((2L, (string?)null), controller.ApplyBundle(_kit.Payload(_kit.Body(2))));
        Assert.DoesNotContain(_log, l => l.StartsWith("refused a bundle", StringComparison.Ordinal));
        // A delta onto the version held is still news; a delta of the version held is not.
        var delta = _kit.Payload(BundleDiff.Between(_kit.Body(1), _kit.Body(2))!);
        Assert.NotNull(controller.ApplyBundle(delta).Error);
        Assert.True(controller.Decide(CredentialKind.Card, BundleKit.ValidCard, SimulatedDevice.DefaultReader).Decision.Allowed);
    }

    [Fact]
    public void NewController_AfterAKill_ReverifiesItsBundlesAndKeepsItsBufferAndNumbering()
    {
        var first = NewController();
        first.SetClock(_clock.GetUtcNow());
        first.ApplyBundle(_kit.Payload(_kit.Body(1)));
        first.ApplyBundle(_kit.Payload(BundleDiff.Between(_kit.Body(1), _kit.Body(2, revokeValid: true))!));
        first.Decide(CredentialKind.Card, BundleKit.ValidCard, SimulatedDevice.DefaultReader);
        first.RecordDoor(DoorPosition.Open, requestToExit: false);
        // A torn last line, as a process killed while appending leaves it.
        File.AppendAllText(Path.Combine(_files.Folder, "events.jsonl"), "{\"sequence\":3,\"ty");

        var again = NewController();

        Assert.Equal(2L, again.BundleVersion);
        Assert.Equal(2, again.Buffered);
        Assert.Equal(3L, again.Memory.NextSequence);
        Assert.Equal(ReasonCode.CredentialRevoked, again.Decide(CredentialKind.Card, BundleKit.ValidCard, SimulatedDevice.DefaultReader).Decision.Reason);
        Assert.Equal(1, again.Acknowledge(1));
        Assert.Equal(2, NewController().Buffered);
    }

    [Fact]
    public void Decide_HardPassbackOffline_RefusesASecondEntryItSawItselfUntilTheBundleAfterTheUpload()
    {
        var controller = NewController();
        controller.ApplyBundle(_kit.Payload(_kit.Body(1, passback: new PassbackRule(PassbackMode.Hard))));
        controller.SetClock(_clock.GetUtcNow());

        var first = controller.Decide(CredentialKind.Card, BundleKit.ValidCard, SimulatedDevice.DefaultReader).Decision;
        _clock.Advance(TimeSpan.FromMinutes(1));
        var second = controller.Decide(CredentialKind.Card, BundleKit.ValidCard, SimulatedDevice.DefaultReader).Decision;

        Assert.True(first.Allowed);
        Assert.Equal((false, ReasonCode.PassbackViolation), (second.Allowed, second.Reason));
        Assert.Equal(_clock.GetUtcNow().AddMinutes(-1), controller.Memory.ZonePresence[_kit.ZoneId][_kit.PersonId].LastEntryAt);

        // Once its events are uploaded the server knows both attempts, and where the person is goes by it again.
        Assert.Equal(2, controller.Acknowledge(2));
        controller.ApplyBundle(_kit.Payload(_kit.Body(2, passback: new PassbackRule(PassbackMode.Hard))));
        Assert.Empty(controller.Memory.ZonePresence);
        Assert.True(controller.Decide(CredentialKind.Card, BundleKit.ValidCard, SimulatedDevice.DefaultReader).Decision.Allowed);
    }

    [Fact]
    public void Decide_TimedPassbackOffline_RefusesReentryWithinItsMinutesAndAdmitsAfter()
    {
        var controller = NewController();
        controller.ApplyBundle(_kit.Payload(_kit.Body(1, passback: new PassbackRule(PassbackMode.Timed, 10))));
        controller.SetClock(_clock.GetUtcNow());

        var entries = new List<Decision>();
        foreach (var minutes in new[] { 0, 9, 2 })
        {
            _clock.Advance(TimeSpan.FromMinutes(minutes));
            entries.Add(controller.Decide(CredentialKind.Card, BundleKit.ValidCard, SimulatedDevice.DefaultReader).Decision);
        }

        Assert.Equal([ReasonCode.Granted, ReasonCode.PassbackViolation, ReasonCode.Granted], entries.Select(e => e.Reason));
    }

    [Fact]
    public void RecordDoor_PastTheBufferLimit_KeepsTheNewestAndCountsWhatItDropped()
    {
        var controller = ControllerWithBundle();

        for (var i = 0; i < OfflineController.BufferLimit + 3; i++) controller.RecordDoor(i % 2 == 0 ? DoorPosition.Open : DoorPosition.Closed, false);

        Assert.Equal(OfflineController.BufferLimit, controller.Buffered);
        Assert.Equal(3, controller.Memory.Dropped);
        var batch = controller.NextBatch()!;
        Assert.Equal(4L, batch.Events[0].Sequence);
        Assert.Equal(3L, batch.Dropped);
        Assert.True(DeviceProtocol.Serialize(batch).Length <= DeviceProtocol.MaxEventsPayloadBytes);
    }

    public void Dispose()
    {
        if (Directory.Exists(_files.Folder)) Directory.Delete(_files.Folder, recursive: true);
    }
}
