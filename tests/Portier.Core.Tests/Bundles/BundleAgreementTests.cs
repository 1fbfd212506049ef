using Portier.Core.Bundles;

namespace Portier.Core.Tests.Bundles;

/// <summary>
/// A controller deciding from its bundle must decide exactly as the server would. Live facts are
/// the same on both sides here (an empty zone, no uses so far, the controller online): what a
/// controller cannot know offline is its door's rule, tested apart.
/// </summary>
public sealed class BundleAgreementTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void EdgeDecision_EqualsServerDecision_ForEveryCredentialDoorAndHour(int seed)
    {
        var policy = RichPolicy.Create(seed);
        var server = PolicySnapshot.Compile(policy.Definitions);
        // Two controllers: a third of the doors on one, the rest on the other.
        var controllers = new[] { policy.Doors.Take(4), policy.Doors.Skip(4) }
            .Select((doors, i) => RichPolicy.Receive(BundleBuilder.Build(policy.Definitions, policy.Controller(i, doors), 1, DateTimeOffset.UnixEpoch)))
            .ToList();

        var compared = 0;
        var granted = 0;
        var closed = 0;
        var qualification = new HashSet<ReasonCode>();
        for (var at = RichPolicy.Start; at < RichPolicy.Start + RichPolicy.Span; at += Duration.FromMinutes(131))
        {
            foreach (var (kind, value) in policy.Presentable)
            {
                foreach (var controller in controllers)
                {
                    foreach (var door in controller.Doors.Values)
                    {
                        var expected = DecisionEngine.Decide(server, DecisionRequest.Scan(kind, value, door.Id, at), LiveFacts.OnlineAt(at));
                        var edge = EdgeDecisions.Decide(controller, door, RichPolicy.CredentialKey, kind, value, at, at, default);
                        Assert.True(expected == edge, $"{kind} {value} at door {door.Id}, {at}: server {expected}, edge {edge}");
                        compared++;
                        if (edge.Allowed) granted++;
                        if (edge.Reason == ReasonCode.HolidayClosed) closed++;
                        if (edge.Reason is ReasonCode.QualificationMissing or ReasonCode.QualificationExpired) qualification.Add(edge.Reason);
                    }
                }
            }
        }
        // The comparison means something only if both outcomes are common, and the calendar's closed days decide some.
        Assert.InRange(granted, compared / 50, compared - compared / 50);
        Assert.True(closed > 0, "no attempt fell on a closed day");
        // And qualifications decide some, missing and expired (offline too, at the expiry instant).
        Assert.Equal(2, qualification.Count);
    }

    [Fact]
    public void PinsAndOneTimeCodes_AreNeverCarried_AndRefusedOfflineAsUnverifiable()
    {
        var policy = RichPolicy.Create(1);
        var body = BundleBuilder.Build(policy.Definitions, policy.Controller(0, policy.Doors), 1, DateTimeOffset.UnixEpoch);
        var json = System.Text.Encoding.UTF8.GetString(System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(body, BundleCodec.Json));

        Assert.DoesNotContain("pin-hash-", json, StringComparison.Ordinal);
        Assert.All(policy.Definitions.Credentials, c => Assert.DoesNotContain($"\"{c.Value}\"", json, StringComparison.Ordinal));
        Assert.All(body.Credentials!, c => Assert.Contains(c.Kind, new[] { "card", "barcode" }));

        var controller = RichPolicy.Receive(body);
        var door = controller.Doors.Values.First();
        var at = RichPolicy.Start;
        Assert.Equal(ReasonCode.OfflineUnverifiable, EdgeDecisions.Decide(controller, door, RichPolicy.CredentialKey, CredentialKind.Pin, "482913", at, at, default).Reason);
        Assert.Equal(ReasonCode.OfflineUnverifiable, EdgeDecisions.Decide(controller, door, RichPolicy.CredentialKey, CredentialKind.Otp, "482913", at, at, default).Reason);
    }

    [Theory]
    [InlineData(4)]
    [InlineData(5)]
    public void Deltas_AppliedOneAfterAnother_DecideLikeTheFullBundleOfTheSameVersion(int seed)
    {
        var policy = RichPolicy.Create(seed);
        var random = new Random(seed);
        var spec = policy.Controller(0, policy.Doors);
        var definitions = policy.Definitions;
        var held = BundleBuilder.Build(definitions, spec, 1, DateTimeOffset.UnixEpoch);
        var controller = RichPolicy.Receive(held);

        for (var version = 2; version <= 25; version++)
        {
            definitions = Change(definitions, random);
            var next = BundleBuilder.Build(definitions, spec, version, DateTimeOffset.UnixEpoch);
            var delta = BundleDiff.Between(held, next);
            if (delta is null) continue;
            Assert.Equal(held.Version, delta.BaseVersion);
            controller = RichPolicy.Receive(delta, controller);
            held = next;

            var fresh = RichPolicy.Receive(next);
            var server = PolicySnapshot.Compile(definitions);
            var at = RichPolicy.Start + Duration.FromHours(random.Next(0, 24 * 21));
            foreach (var (kind, value) in policy.Presentable)
            {
                foreach (var door in fresh.Doors.Values)
                {
                    var expected = DecisionEngine.Decide(server, DecisionRequest.Scan(kind, value, door.Id, at), LiveFacts.OnlineAt(at));
                    Assert.Equal(expected, EdgeDecisions.Decide(fresh, door, RichPolicy.CredentialKey, kind, value, at, at, default));
                    Assert.Equal(expected, EdgeDecisions.Decide(controller, controller.Doors[door.Id], RichPolicy.CredentialKey, kind, value, at, at, default));
                }
            }
        }
        Assert.True(controller.Version > 10, $"only {controller.Version} versions changed anything");
    }

    [Fact]
    public void NothingChanged_GivesNoDelta()
    {
        var policy = RichPolicy.Create(6);
        var spec = policy.Controller(0, policy.Doors);
        Assert.Null(BundleDiff.Between(
            BundleBuilder.Build(policy.Definitions, spec, 1, DateTimeOffset.UnixEpoch),
            BundleBuilder.Build(policy.Definitions, spec, 2, DateTimeOffset.UnixEpoch)));
    }

    /// <summary>One change of the kind an operator makes: revoke, disable, block, delete, re-tag, grant, close a door, grant or revoke a qualification.</summary>
    private static PolicyDefinitions Change(PolicyDefinitions d, Random random)
    {
        var person = d.People[random.Next(d.People.Count)];
        var credential = d.Credentials[random.Next(d.Credentials.Count)];
        return random.Next(10) switch
        {
            8 => d with { People = [.. d.People.Select(p => p.Id == person.Id ? p with { Qualifications = [new HeldQualification(Fixture.Id(1601), null, RichPolicy.Start + Duration.FromDays(random.Next(1, 20)))] } : p)] },
            9 => d with { People = [.. d.People.Select(p => p.Id == person.Id ? p with { Qualifications = [] } : p)] },
            0 => d with { Credentials = [.. d.Credentials.Select(c => c.Id == credential.Id ? c with { Revoked = !c.Revoked } : c)] },
            1 => d with { People = [.. d.People.Select(p => p.Id == person.Id ? p with { AccessEnabled = !p.AccessEnabled } : p)] },
            2 => d with { People = [.. d.People.Select(p => p.Id == person.Id ? p with { Blocklisted = !p.Blocklisted, MembershipStatus = "Current" } : p)] },
            3 => d with { Credentials = [.. d.Credentials.Where(c => c.Id != credential.Id)] },
            4 => d with { People = [.. d.People.Select(p => p.Id == person.Id ? p with { SyncedTags = ["staff"] } : p)] },
            5 => d with { Grants = [.. d.Grants, new GrantDefinition(Guid.NewGuid(), person.Id, d.Sites[0].Id) { SiteWide = true }] },
            6 => d.Grants.Count == 0 ? d : d with { Grants = [.. d.Grants.Skip(1)] },
            _ => d with { Doors = [.. d.Doors.Select((door, i) => i == 2 ? door with { Maintenance = door.Maintenance == MaintenanceMode.ForceClosed ? MaintenanceMode.Normal : MaintenanceMode.ForceClosed } : door)] },
        };
    }
}
