using System.Net;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portier.Core.Invites;
using Portier.Core.Model;
using Portier.Server.Features.Audit;
using Portier.Server.Features.Invites;
using Portier.Server.Tests.Infrastructure;

namespace Portier.Server.Tests.Invites;

/// <summary>An invite's status changes only as its lifecycle allows, and every change leaves one audit entry.</summary>
public abstract class InviteTransitionTests(PortierServer server)
{
    private readonly HttpClient _admin = server.Admin();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static Guid Id(JsonElement result) => result.GetProperty("invite").GetProperty("id").GetGuid();

    private Task<List<AuditEntry>> AuditAsync(Guid inviteId) => server.QueryAsync(db => db.Set<AuditEntry>().AsNoTracking()
        .Where(a => a.EntityType == nameof(Invite) && a.EntityId == inviteId).OrderBy(a => a.At).ThenBy(a => a.Id).ToListAsync(Ct));

    private Task<Invite> StoredAsync(Guid inviteId) => server.QueryAsync(db => db.Set<Invite>().AsNoTracking().FirstAsync(i => i.Id == inviteId, Ct));

    private static InviteStatus StatusIn(string? json) =>
        (InviteStatus)JsonDocument.Parse(json!).RootElement.GetProperty(nameof(Invite.Status)).GetInt32();

    [Fact]
    public async Task Accept_OnADraft_Answers409AndWritesNothing()
    {
        var setup = await _admin.SetUpInvitesAsync();
        var draft = await _admin.InviteAsync(setup, issue: false);
        var before = await StoredAsync(Id(draft));
        var audit = await AuditAsync(Id(draft));

        await (await _admin.ActAsync(draft.Reference(), "accept")).ExpectProblemAsync(HttpStatusCode.Conflict, "invalid_transition");

        var after = await StoredAsync(Id(draft));
        Assert.Equal(InviteStatus.Draft, after.Status);
        Assert.Equal(before.UpdatedAt, after.UpdatedAt);
        Assert.False(after.Approved);
        Assert.Equal(audit.Count, (await AuditAsync(Id(draft))).Count);
    }

    [Fact]
    public async Task Accept_OnAPendingInvite_WritesOneAuditEntryFromPendingToAccepted()
    {
        var setup = await _admin.SetUpInvitesAsync();
        var pending = await _admin.InviteAsync(setup);
        var before = (await AuditAsync(Id(pending))).Count;

        await (await _admin.ActAsync(pending.Reference(), "accept")).ExpectAsync(HttpStatusCode.OK);

        var added = (await AuditAsync(Id(pending))).Skip(before).ToList();
        var entry = Assert.Single(added);
        Assert.Equal("updated", entry.Action);
        Assert.Equal(InviteStatus.Pending, StatusIn(entry.Before));
        Assert.Equal(InviteStatus.Accepted, StatusIn(entry.After));
    }

    [Fact]
    public async Task FirstUseAtTheGate_ConcurrentGates_AcceptOnceWithOneAuditEntry()
    {
        var setup = await _admin.SetUpInvitesAsync(maxUses: 5);
        var gate = await server.GateAsync(_admin);
        var pending = await _admin.InviteAsync(setup);
        var before = (await AuditAsync(Id(pending))).Count;

        var reasons = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => gate.ReasonAsync(setup.GateA, "qr", pending.Issued("qr"))));

        Assert.All(reasons, r => Assert.Equal("granted", r));
        var stored = await StoredAsync(Id(pending));
        Assert.Equal(InviteStatus.Accepted, stored.Status);
        Assert.True(stored.Approved);
        var entry = Assert.Single((await AuditAsync(Id(pending))).Skip(before));
        Assert.Equal(InviteStatus.Pending, StatusIn(entry.Before));
        Assert.Equal(InviteStatus.Accepted, StatusIn(entry.After));
    }

    [Fact]
    public async Task AcceptOnFirstUse_InviteNoLongerPending_ChangesNothing()
    {
        var setup = await _admin.SetUpInvitesAsync();
        var pending = await _admin.InviteAsync(setup);
        var read = await StoredAsync(Id(pending)); // read while pending, as a gate would
        await (await _admin.ActAsync(pending.Reference(), "cancel")).ExpectAsync(HttpStatusCode.OK);
        var audit = (await AuditAsync(Id(pending))).Count;
        var outbox = server.Services.GetRequiredService<Portier.Server.Features.Webhooks.WebhookOutbox>();

        var accepted = await server.QueryAsync(db => InviteTransitions.AcceptOnFirstUseAsync(db, outbox, read, NodaTime.Instant.FromDateTimeOffset(server.Clock.GetUtcNow()), Ct));

        Assert.False(accepted);
        Assert.Equal(InviteStatus.Cancelled, (await StoredAsync(Id(pending))).Status);
        Assert.Equal(audit, (await AuditAsync(Id(pending))).Count);
    }

    [Fact]
    public async Task Expiry_WritesOneAuditEntryPerExpiredInvite()
    {
        var setup = await _admin.SetUpInvitesAsync();
        var invite = await _admin.InviteAsync(setup, validUntil: server.Clock.GetUtcNow().AddMinutes(30));
        var before = (await AuditAsync(Id(invite))).Count;
        server.Clock.Advance(TimeSpan.FromMinutes(31));

        await server.Services.GetRequiredService<InviteExpiry>().ExpireDueAsync(Ct);

        var entry = Assert.Single((await AuditAsync(Id(invite))).Skip(before));
        Assert.Equal(InviteStatus.Expired, StatusIn(entry.After));
        Assert.Equal(InviteStatus.Expired, (await StoredAsync(Id(invite))).Status);
    }

    [Fact]
    public async Task MoveTo_FromAFinalState_RefusesWithTheLifecycleCode_AndLeavesTheInviteAsItWas()
    {
        var setup = await _admin.SetUpInvitesAsync();
        var invite = await _admin.InviteAsync(setup);
        await (await _admin.ActAsync(invite.Reference(), "cancel")).ExpectAsync(HttpStatusCode.OK);
        var cancelled = await StoredAsync(Id(invite));
        var now = NodaTime.Instant.FromDateTimeOffset(server.Clock.GetUtcNow());

        var refused = Assert.Throws<TransitionRefusedException>(() => cancelled.MoveTo(InviteStatus.Pending, now));
        Assert.Equal("invite_closed", refused.Code);
        Assert.Equal(InviteStatus.Cancelled, cancelled.Status);
        Assert.Equal("invite_closed", Assert.Throws<TransitionRefusedException>(() => cancelled.OpenLink("hash", now)).Code);
        Assert.Null(cancelled.LinkTokenHash);
    }
}

public sealed class InviteTransitionSqliteTests(SqliteServerFixture fixture) : InviteTransitionTests(fixture.Server), IClassFixture<SqliteServerFixture>;

public sealed class InviteTransitionPostgresTests(PostgresServerFixture fixture) : InviteTransitionTests(fixture.Server), IClassFixture<PostgresServerFixture>;
