using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Portier.Core.Decisions;
using Portier.Core.Model;
using Portier.Core.Policy;
using Portier.Server.Features.Decisions;
using Portier.Server.Infrastructure;
using Portier.Server.Infrastructure.Persistence;
using Portier.Server.Tests.Infrastructure;

namespace Portier.Server.Tests.Decisions;

/// <summary>
/// A change to a person, a credential, a grant or a door made through the API is applied to the policy snapshot by
/// reading just its rows, and the snapshot then decides exactly as one rebuilt from every row.
/// </summary>
public abstract class IncrementalSnapshotTests(PortierServer server)
{
    private readonly HttpClient _admin = server.Admin();
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private PolicySnapshotStore Store => server.Services.GetRequiredService<PolicySnapshotStore>();

    [Fact]
    public async Task PersonCredentialGrantAndDoorChanges_ArePatched_AndDecideAsAFullRebuild()
    {
        var site = await _admin.CreateSiteAsync("Patched");
        var front = await _admin.CreateDoorAsync(site, "Front");
        var back = await _admin.CreateDoorAsync(site, "Back");
        var ada = await _admin.CreatePersonAsync(site, "Ada", personType: "member", membershipStatus: "active");
        var bob = await _admin.CreatePersonAsync(site, "Bob", personType: "member", membershipStatus: "active");
        var card = (await (await _admin.PostJsonAsync("/api/v1/credentials", new { personId = bob, kind = "card", value = "CAFE01" })).ExpectAsync(HttpStatusCode.Created)).Id();
        await Store.GetAsync(Ct);
        var (rebuilds, patches) = (Store.Rebuilds, Store.Patches);
        var at = server.Clock.GetCurrentInstant();

        var grant = (await (await _admin.PostJsonAsync("/api/v1/grants", new { personId = ada, doorIds = new[] { back } })).ExpectAsync(HttpStatusCode.Created)).Id();
        Assert.Equal(ReasonCode.Granted, DecisionEngine.Authorize(await Store.GetAsync(Ct), ada, back, at));

        await (await _admin.PostAsync($"/api/v1/credentials/{card}/revoke", null, Ct)).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(ReasonCode.CredentialRevoked, Scan(await Store.GetAsync(Ct), "CAFE01", front, at).Reason);

        await (await _admin.PutJsonAsync($"/api/v1/people/{bob}/access", new { enabled = false })).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(ReasonCode.AccessDisabled, DecisionEngine.Decide(await Store.GetAsync(Ct), DecisionRequest.ForPerson(bob, back, at), LiveFacts.OnlineAt(at)).Reason);

        await (await _admin.PutJsonAsync($"/api/v1/doors/{back}/maintenance", new { mode = "force_closed" })).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(ReasonCode.DoorForceClosed, DecisionEngine.Decide(await Store.GetAsync(Ct), DecisionRequest.ForPerson(ada, back, at), LiveFacts.OnlineAt(at)).Reason);

        await (await _admin.DeleteAsync($"/api/v1/grants/{grant}", Ct)).ExpectAsync(HttpStatusCode.NoContent);
        await (await _admin.DeleteAsync($"/api/v1/people/{bob}", Ct)).ExpectAsync(HttpStatusCode.NoContent);
        var patched = await Store.GetAsync(Ct);
        Assert.False(patched.ContainsPerson(bob));

        // Each change above was applied to the snapshot, none rebuilt it (a rebuild asked for by the version
        // check racing this node's own announcement on PostgreSQL may add one full rebuild, never replace the patches).
        Assert.True(Store.Patches >= patches + 5, $"{Store.Patches - patches} patches");
        Assert.True(Store.Rebuilds <= rebuilds + 1, $"{Store.Rebuilds - rebuilds} rebuilds");

        var full = await server.QueryAsync(async db => PolicySnapshot.Compile(await PolicyDefinitionsLoader.LoadAsync((PortierDbContext)db, Ct)));
        Assert.Equal(full.PersonCount, patched.PersonCount);
        Assert.Equal(full.CredentialCount, patched.CredentialCount);
        Assert.Equal(full.GrantCount, patched.GrantCount);
        foreach (var person in (Guid[])[ada, bob])
            foreach (var door in (Guid[])[front, back])
            {
                var request = DecisionRequest.ForPerson(person, door, at);
                Assert.Equal(DecisionEngine.Explain(full, request, LiveFacts.OnlineAt(at)), DecisionEngine.Explain(patched, request, LiveFacts.OnlineAt(at)), ExplanationComparer.Instance);
            }
        Assert.Equal(Scan(full, "CAFE01", front, at), Scan(patched, "CAFE01", front, at));
    }

    private static Decision Scan(PolicySnapshot snapshot, string card, Guid door, NodaTime.Instant at) =>
        DecisionEngine.Decide(snapshot, DecisionRequest.Scan(CredentialKind.Card, card, door, at), LiveFacts.OnlineAt(at));

    private sealed class ExplanationComparer : IEqualityComparer<DecisionExplanation>
    {
        public static readonly ExplanationComparer Instance = new();

        public bool Equals(DecisionExplanation? x, DecisionExplanation? y) =>
            x is not null && y is not null && x.Decision == y.Decision && x.Checks.SequenceEqual(y.Checks);

        public int GetHashCode(DecisionExplanation obj) => obj.Decision.GetHashCode();
    }
}

public sealed class IncrementalSnapshotSqliteTests(SqliteServerFixture fixture) : IncrementalSnapshotTests(fixture.Server), IClassFixture<SqliteServerFixture>;

public sealed class IncrementalSnapshotPostgresTests(PostgresServerFixture fixture) : IncrementalSnapshotTests(fixture.Server), IClassFixture<PostgresServerFixture>;
