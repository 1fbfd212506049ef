using System.Net;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portier.Server.Features.Credentials;
using Portier.Server.Features.Guessing;
using Portier.Server.Features.Invites;
using Portier.Server.Infrastructure.Persistence;
using Portier.Server.Tests.Infrastructure;

namespace Portier.Server.Tests.Invites;

public abstract class InviteLifecycleTests(PortierServer server)
{
    private readonly HttpClient _admin = server.Admin();

    private static string[] Actions(JsonElement invite) =>
        invite.GetProperty("actions").EnumerateArray().Select(a => a.GetString()!).ToArray();

    [Fact]
    public async Task NewVisitor_QrAndPinOpenTheirGateWithinTheWindow_AndNotOutside()
    {
        var setup = await _admin.SetUpInvitesAsync();
        var gate = await server.GateAsync(_admin);
        var now = server.Clock.GetUtcNow();
        var result = await _admin.InviteAsync(setup, validFrom: now.AddHours(1), validUntil: now.AddHours(3));
        Assert.Equal("pending", result.Status());
        Assert.Matches("^INV-[A-Z0-9]{8}$", result.Reference());
        var (pin, qr) = (result.Issued("pin"), result.Issued("qr"));
        Assert.Equal(6, pin.Length);

        Assert.Equal("expired", await gate.ReasonAsync(setup.GateA, "qr", qr));
        Assert.Equal("expired", await gate.ReasonAsync(setup.GateA, "pin", pin));
        server.Clock.Advance(TimeSpan.FromHours(1.5));
        Assert.Equal("granted", await gate.ReasonAsync(setup.GateA, "qr", qr));
        Assert.Equal("granted", await gate.ReasonAsync(setup.GateA, "pin", pin));
        Assert.Equal("entry_point_not_allowed", await gate.ReasonAsync(setup.GateB, "pin", pin));
        var detail = await _admin.GetJsonAsync($"/api/v1/invites/{result.Reference()}");
        Assert.Equal("accepted", detail.GetProperty("status").GetString());
        Assert.Equal(1, detail.GetProperty("credentials").EnumerateArray().First(c => c.GetProperty("method").GetString() == "qr").GetProperty("useCount").GetInt32());

        server.Clock.Advance(TimeSpan.FromHours(2));
        Assert.Equal("expired", await gate.ReasonAsync(setup.GateA, "qr", qr));
        Assert.Equal("expired", await gate.ReasonAsync(setup.GateA, "pin", pin));
    }

    [Fact]
    public async Task Transitions_DraftPendingAcceptedCancelled_RefuseWhatTheStateDoesNotAllow()
    {
        var setup = await _admin.SetUpInvitesAsync();
        var draft = await _admin.InviteAsync(setup, issue: false);
        var reference = draft.Reference();
        Assert.Equal("draft", draft.Status());
        Assert.Equal(["issue", "cancel"], Actions(draft.GetProperty("invite")));
        await (await _admin.ActAsync(reference, "accept")).ExpectProblemAsync(HttpStatusCode.Conflict, "invalid_transition");
        await (await _admin.ActAsync(reference, "revoke")).ExpectProblemAsync(HttpStatusCode.Conflict, "no_active_credentials");
        await (await _admin.ActAsync(reference, "resync")).ExpectProblemAsync(HttpStatusCode.Conflict, "channel_cannot_resync");
        await (await _admin.ActAsync(reference, "fly")).ExpectProblemAsync(HttpStatusCode.BadRequest, "unknown_action");

        var pending = await (await _admin.PostJsonAsync($"/api/v1/invites/{reference}/issue", new { })).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal("pending", pending.Status());
        Assert.Equal(["issue", "accept", "cancel", "revoke"], Actions(pending.GetProperty("invite")));
        Assert.Equal(3, pending.GetProperty("invite").GetProperty("credentials").GetArrayLength());

        var accepted = await (await _admin.ActAsync(reference, "accept")).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal("accepted", accepted.Status());
        await (await _admin.ActAsync(reference, "accept")).ExpectProblemAsync(HttpStatusCode.Conflict, "invalid_transition");

        var revoked = await (await _admin.ActAsync(reference, "revoke")).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal("accepted", revoked.Status());
        Assert.All(revoked.GetProperty("invite").GetProperty("credentials").EnumerateArray(), c => Assert.True(c.GetProperty("revoked").GetBoolean()));

        var cancelled = await (await _admin.ActAsync(reference, "cancel")).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal("cancelled", cancelled.Status());
        Assert.Empty(Actions(cancelled.GetProperty("invite")));
        foreach (var action in new[] { "accept", "cancel", "revoke", "resync" })
            await (await _admin.ActAsync(reference, action)).ExpectProblemAsync(HttpStatusCode.Conflict, "invite_closed");
        await (await _admin.PostJsonAsync($"/api/v1/invites/{reference}/issue", new { })).ExpectProblemAsync(HttpStatusCode.Conflict, "invite_closed");
    }

    [Fact]
    public async Task Cancel_RevokesCredentials_SoTheGateRefusesThem()
    {
        var setup = await _admin.SetUpInvitesAsync();
        var gate = await server.GateAsync(_admin);
        var result = await _admin.InviteAsync(setup);
        await (await _admin.ActAsync(result.Reference(), "cancel")).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal("credential_revoked", await gate.ReasonAsync(setup.GateA, "qr", result.Issued("qr")));
        Assert.Equal("invalid_credential", await gate.ReasonAsync(setup.GateA, "pin", result.Issued("pin")));
    }

    [Fact]
    public async Task Reissue_ReplacesCredentials_OldPinAndQrStopWorking()
    {
        var setup = await _admin.SetUpInvitesAsync();
        var gate = await server.GateAsync(_admin);
        var first = await _admin.InviteAsync(setup);
        var second = await (await _admin.PostJsonAsync($"/api/v1/invites/{first.Reference()}/issue", new { })).ExpectAsync(HttpStatusCode.OK);
        Assert.NotEqual(first.Issued("qr"), second.Issued("qr"));
        Assert.Equal("credential_revoked", await gate.ReasonAsync(setup.GateA, "qr", first.Issued("qr")));
        Assert.Equal("granted", await gate.ReasonAsync(setup.GateA, "qr", second.Issued("qr")));
        Assert.Equal("granted", await gate.ReasonAsync(setup.GateA, "pin", second.Issued("pin")));
        Assert.Equal("granted", await gate.ReasonAsync(setup.GateA, "otp", second.Issued("otp")));
        Assert.Equal("max_uses_reached", await gate.ReasonAsync(setup.GateA, "otp", second.Issued("otp")));
    }

    [Fact]
    public async Task ApprovalNeeded_IssueWaits_AcceptIssuesTheCredentials()
    {
        var setup = await _admin.SetUpInvitesAsync(requiresApproval: true);
        var result = await _admin.InviteAsync(setup);
        Assert.Equal("pending", result.Status());
        Assert.True(result.GetProperty("invite").GetProperty("awaitingApproval").GetBoolean());
        Assert.Equal(JsonValueKind.Null, result.GetProperty("issued").ValueKind);
        Assert.Equal(0, result.GetProperty("invite").GetProperty("credentials").GetArrayLength());
        await (await _admin.PostJsonAsync($"/api/v1/invites/{result.Reference()}/issue", new { }))
            .ExpectProblemAsync(HttpStatusCode.Conflict, "approval_required");

        var accepted = await (await _admin.ActAsync(result.Reference(), "accept")).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal("accepted", accepted.Status());
        Assert.False(accepted.GetProperty("invite").GetProperty("awaitingApproval").GetBoolean());
        var gate = await server.GateAsync(_admin);
        Assert.Equal("granted", await gate.ReasonAsync(setup.GateA, "pin", accepted.Issued("pin")));
    }

    [Fact]
    public async Task Expiry_InjectedClockPassesTheWindow_InviteExpiresAndClosesItsLink()
    {
        var setup = await _admin.SetUpInvitesAsync();
        var now = server.Clock.GetUtcNow();
        var result = await _admin.InviteAsync(setup, validUntil: now.AddHours(1));
        var draft = await _admin.InviteAsync(setup, issue: false, validUntil: now.AddHours(1));
        var link = new Uri(result.Issued("visitorLink")).AbsolutePath;
        Assert.Equal(HttpStatusCode.OK, (await server.Anonymous().GetAsync(link, TestContext.Current.CancellationToken)).StatusCode);

        server.Clock.Advance(TimeSpan.FromMinutes(61));
        // The pass the background service would run next (it may already have run for this clock step).
        await server.Services.GetRequiredService<InviteExpiry>().ExpireDueAsync(TestContext.Current.CancellationToken);
        foreach (var reference in new[] { result.Reference(), draft.Reference() })
        {
            var detail = await _admin.GetJsonAsync($"/api/v1/invites/{reference}");
            Assert.Equal("expired", detail.GetProperty("status").GetString());
            await (await _admin.ActAsync(reference, "cancel")).ExpectProblemAsync(HttpStatusCode.Conflict, "invite_closed");
        }
        await (await server.Anonymous().GetAsync(link, TestContext.Current.CancellationToken)).ExpectProblemAsync(HttpStatusCode.NotFound, "not_found");
    }

    [Fact]
    public async Task Expiry_RunsByItself_WhenTheClockPassesTheWindow()
    {
        var setup = await _admin.SetUpInvitesAsync();
        var result = await _admin.InviteAsync(setup, validUntil: server.Clock.GetUtcNow().AddMinutes(10));
        server.Clock.Advance(TimeSpan.FromMinutes(11));
        var deadline = DateTimeOffset.UtcNow.AddSeconds(10);
        string? status = null;
        while (DateTimeOffset.UtcNow < deadline)
        {
            server.Clock.Advance(TimeSpan.FromSeconds(30));
            status = (await _admin.GetJsonAsync($"/api/v1/invites/{result.Reference()}")).GetProperty("status").GetString();
            if (status == "expired") break;
            await Task.Delay(50, TestContext.Current.CancellationToken);
        }
        Assert.Equal("expired", status);
    }

    [Fact]
    public async Task Pin_IsNeverReadableAfterIssue_NotInApiAuditOrDatabase()
    {
        var setup = await _admin.SetUpInvitesAsync();
        var result = await _admin.InviteAsync(setup);
        var (pin, otp) = (result.Issued("pin"), result.Issued("otp"));
        var pinRecord = result.GetProperty("invite").GetProperty("credentials").EnumerateArray().First(c => c.GetProperty("method").GetString() == "pin");
        Assert.True(pinRecord.GetProperty("revealed").GetBoolean());

        var texts = new List<string>
        {
            (await _admin.GetJsonAsync($"/api/v1/invites/{result.Reference()}")).GetRawText(),
            (await _admin.GetJsonAsync($"/api/v1/invites?q={result.Reference()}")).GetRawText(),
            (await _admin.GetJsonAsync($"/api/v1/credentials?pageSize=200")).GetRawText(),
            (await _admin.GetJsonAsync("/api/v1/audit?pageSize=200")).GetRawText(),
        };
        using (var scope = server.Services.CreateScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<PortierDbContext>();
            var ct = TestContext.Current.CancellationToken;
            texts.Add(JsonSerializer.Serialize(await db.Set<Credential>().AsNoTracking().ToListAsync(ct)));
            texts.Add(JsonSerializer.Serialize(await db.Set<Invite>().AsNoTracking().ToListAsync(ct)));
            texts.Add(JsonSerializer.Serialize(await db.Set<InviteCredential>().AsNoTracking().ToListAsync(ct)));
            texts.Add(JsonSerializer.Serialize(await db.Set<Portier.Server.Features.Audit.AuditEntry>().AsNoTracking().ToListAsync(ct)));
        }
        foreach (var text in texts)
        {
            Assert.DoesNotContain($"\"{pin}\"", text, StringComparison.Ordinal);
            Assert.DoesNotContain(":" + pin, text, StringComparison.Ordinal);
            Assert.DoesNotContain(otp, text, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task ReferenceProbing_AnswersOneUniform404()
    {
        var setup = await _admin.SetUpInvitesAsync();
        var other = await _admin.SetUpInvitesAsync(site: "Other site");
        var hidden = await _admin.InviteAsync(other);
        var limited = server.WithToken(await _admin.CreateTokenAsync(["invites:read", "invites:execute", "invites:send"], [setup.SiteId]));

        var answers = new List<string>();
        foreach (var reference in new[] { "INV-AAAAAAAA", hidden.Reference(), "x", "../etc" })
        {
            var get = await limited.GetAsync($"/api/v1/invites/{Uri.EscapeDataString(reference)}", TestContext.Current.CancellationToken);
            answers.Add(WithoutTraceId(await get.ExpectProblemAsync(HttpStatusCode.NotFound, "not_found")));
            var act = await limited.ActAsync(Uri.EscapeDataString(reference), "cancel");
            answers.Add(WithoutTraceId(await act.ExpectProblemAsync(HttpStatusCode.NotFound, "not_found")));
        }
        Assert.Single(answers.Distinct());
        Assert.Equal("pending", (await _admin.GetJsonAsync($"/api/v1/invites/{hidden.Reference()}")).GetProperty("status").GetString());
    }

    /// <summary>The problem as the prober reads it; its traceId names each request and tells nothing about the invite.</summary>
    private static string WithoutTraceId(System.Text.Json.JsonElement problem) =>
        string.Join(",", problem.EnumerateObject().Where(p => p.Name != "traceId").Select(p => p.ToString()));

    [Fact]
    public async Task MaxUses_ConcurrentValidations_ExactlyMaxSucceed()
    {
        var setup = await _admin.SetUpInvitesAsync(maxUses: 3);
        var gate = await server.GateAsync(_admin);
        var qr = (await _admin.InviteAsync(setup)).Issued("qr");
        var reasons = await Task.WhenAll(Enumerable.Range(0, 12).Select(_ => gate.ReasonAsync(setup.GateA, "qr", qr)));
        Assert.Equal(3, reasons.Count(r => r == "granted"));
        Assert.Equal(9, reasons.Count(r => r == "max_uses_reached"));
        Assert.Equal("max_uses_reached", await gate.ReasonAsync(setup.GateA, "qr", qr));
    }

    [Fact]
    public async Task PinGuessing_LocksTheGateOut_LogsItsRefusals_ThenReleasesAfterTheLockout()
    {
        var setup = await _admin.SetUpInvitesAsync();
        var gate = await server.GateAsync(_admin);
        var pin = (await _admin.InviteAsync(setup)).Issued("pin");
        var wrong = pin == "000000" ? "111111" : "000000";
        for (var i = 0; i < GuessingDefaults.ReaderFailures; i++)
            Assert.Equal("invalid_credential", await gate.ReasonAsync(setup.GateA, "pin", wrong));
        var locked = await gate.ValidateAsync(setup.GateA, "pin", pin);
        Assert.Equal(GuessingDefaults.FirstLockSeconds, locked.Headers.RetryAfter?.Delta?.TotalSeconds);
        await locked.ExpectProblemAsync(HttpStatusCode.TooManyRequests, "gate_locked_out");
        await (await gate.ValidateAsync(setup.GateA, "otp", "12345678")).ExpectProblemAsync(HttpStatusCode.TooManyRequests, "gate_locked_out");

        // Every refusal is an attempt in the access log; nothing was looked up for the refused ones.
        async Task<List<JsonElement>> Attempts(string reason) =>
            [.. (await _admin.GetJsonAsync($"/api/v1/access-events?doorId={setup.GateA}&reason={reason}")).GetProperty("items").EnumerateArray()];
        Assert.Equal(GuessingDefaults.ReaderFailures, (await Attempts("invalid_credential")).Count);
        var refused = await Attempts("too_many_attempts");
        Assert.Equal(2, refused.Count);
        Assert.All(refused, e => Assert.Equal(JsonValueKind.Null, e.GetProperty("credentialId").ValueKind));

        server.Clock.Advance(TimeSpan.FromMinutes(16));
        Assert.Equal("granted", await gate.ReasonAsync(setup.GateA, "pin", pin));
    }

    private static readonly GuessingOptions GuessingDefaults = new();

    [Fact]
    public async Task PinGuessing_InParallel_NeverChecksMoreThanTheBound()
    {
        var setup = await _admin.SetUpInvitesAsync();
        var gate = await server.GateAsync(_admin);
        var pin = (await _admin.InviteAsync(setup)).Issued("pin");
        var guesses = Enumerable.Range(0, 20).Select(i => (100_000 + i).ToString(System.Globalization.CultureInfo.InvariantCulture)).Where(g => g != pin);
        var answers = await Task.WhenAll(guesses.Select(g => gate.ValidateAsync(setup.GateA, "pin", g)));
        Assert.True(answers.Count(a => a.StatusCode == HttpStatusCode.OK) <= GuessingDefaults.ReaderFailures);
        Assert.Contains(answers, a => a.StatusCode == HttpStatusCode.TooManyRequests);
        await (await gate.ValidateAsync(setup.GateA, "pin", pin)).ExpectProblemAsync(HttpStatusCode.TooManyRequests, "gate_locked_out");
        // The lockout is the keypad's: a signed pass still opens the gate.
        Assert.Equal("granted", await gate.ReasonAsync(setup.GateA, "qr", (await _admin.InviteAsync(setup)).Issued("qr")));
    }

    [Fact]
    public async Task List_SearchesByReferenceNameEmailAndLocation_FiltersByStatus_Sorts()
    {
        var setup = await _admin.SetUpInvitesAsync(site: "Harbour Works");
        var anna = await _admin.InviteAsync(setup, name: "Anna Zebra", email: "anna@zebra.example", issue: false);
        var bert = await _admin.InviteAsync(setup, name: "Bert Yak", email: "bert@yak.example");
        var site = setup.SiteId;

        async Task<string[]> Names(string query) => (await _admin.GetJsonAsync($"/api/v1/invites?siteId={site}&{query}"))
            .GetProperty("items").EnumerateArray().Select(i => i.GetProperty("visitor").GetProperty("name").GetString()!).ToArray();

        Assert.Equal(["Anna Zebra"], await Names($"q={anna.Reference()}"));
        Assert.Equal(["Bert Yak"], await Names("q=yak"));
        Assert.Equal(["Anna Zebra"], await Names("q=ANNA@ZEBRA"));
        Assert.Equal(2, (await Names("q=harbour")).Length);
        Assert.Equal(["Anna Zebra"], await Names("status=draft"));
        Assert.Equal(["Bert Yak"], await Names("status=pending"));
        Assert.Equal(["Anna Zebra", "Bert Yak"], await Names("sort=visitorName"));
        Assert.Equal(["Bert Yak", "Anna Zebra"], await Names("sort=-visitorName"));
        Assert.Equal(["Anna Zebra", "Bert Yak"], await Names("sort=createdAt"));
        _ = bert;
    }

    [Fact]
    public async Task Create_RefusesBadWindowsAndForeignReferences()
    {
        var setup = await _admin.SetUpInvitesAsync();
        var other = await _admin.SetUpInvitesAsync(site: "Elsewhere");
        var now = server.Clock.GetUtcNow();
        async Task Refused(object body, string code) =>
            await (await _admin.PostJsonAsync("/api/v1/invites", body)).ExpectProblemAsync(HttpStatusCode.BadRequest, code);
        await Refused(new { siteId = setup.SiteId, entryTypeId = setup.EntryTypeId, visitorName = "V", validFrom = now, validUntil = now.AddHours(-1) }, "validation_failed");
        await Refused(new { siteId = setup.SiteId, entryTypeId = setup.EntryTypeId, visitorName = "V", validFrom = now.AddHours(-3), validUntil = now.AddHours(-1) }, "window_in_past");
        await Refused(new { siteId = setup.SiteId, entryTypeId = other.EntryTypeId, visitorName = "V" }, "unknown_entry_type");
        await Refused(new { siteId = setup.SiteId, entryTypeId = setup.EntryTypeId, visitorName = "V", validFrom = now, validUntil = now.AddHours(5) }, "window_exceeds_entry_type");
        await Refused(new { siteId = setup.SiteId, entryTypeId = setup.EntryTypeId, visitorName = "V", hostPersonId = Guid.NewGuid() }, "unknown_host");
        await Refused(new { siteId = setup.SiteId, entryTypeId = setup.EntryTypeId, visitorName = "V", issueCredential = true, sendNotification = true }, "validation_failed");
    }

    [Fact]
    public async Task List_FiltersByEntryTypeAndVisitDay_PassIsShownToSendersWhileLive()
    {
        var setup = await _admin.SetUpInvitesAsync();
        var now = server.Clock.GetUtcNow();
        var today = await _admin.InviteAsync(setup, name: "Tess Today");
        var later = await _admin.InviteAsync(setup, name: "Tom Tomorrow", validFrom: now.AddDays(1), validUntil: now.AddDays(1).AddHours(2));
        var other = (await (await _admin.PostJsonAsync("/api/v1/entry-types", new { siteId = setup.SiteId, name = "Guest", methods = new[] { "pin" } }))
            .ExpectAsync(HttpStatusCode.Created)).Id();

        async Task<string[]> NamesAsync(string query) =>
            (await _admin.GetJsonAsync($"/api/v1/invites?siteId={setup.SiteId}&sort=visitorName{query}")).GetProperty("items").EnumerateArray()
                .Select(i => i.GetProperty("visitor").GetProperty("name").GetString()!).ToArray();
        string At(DateTimeOffset at) => Uri.EscapeDataString(at.ToString("O", System.Globalization.CultureInfo.InvariantCulture));

        Assert.Equal(["Tess Today", "Tom Tomorrow"], await NamesAsync($"&entryTypeId={setup.EntryTypeId}"));
        Assert.Empty(await NamesAsync($"&entryTypeId={other}"));
        Assert.Equal(["Tom Tomorrow"], await NamesAsync($"&from={At(now.AddHours(20))}&until={At(now.AddHours(44))}"));
        Assert.Equal(["Tess Today"], await NamesAsync($"&until={At(now.AddHours(1))}"));

        var pass = (await _admin.GetJsonAsync($"/api/v1/invites/{today.Reference()}/qr")).GetProperty("qr").GetString()!;
        var gate = await server.GateAsync(_admin);
        Assert.Equal("granted", await gate.ReasonAsync(setup.GateA, "qr", pass));
        await (await gate.GetAsync($"/api/v1/invites/{today.Reference()}/qr", TestContext.Current.CancellationToken)).ExpectProblemAsync(HttpStatusCode.Forbidden, "forbidden");
        await (await _admin.ActAsync(later.Reference(), "cancel")).ExpectAsync(HttpStatusCode.OK);
        await (await _admin.GetAsync($"/api/v1/invites/{later.Reference()}/qr", TestContext.Current.CancellationToken)).ExpectProblemAsync(HttpStatusCode.NotFound, "not_found");
    }

    [Fact]
    public async Task PointOfEntry_LocationFixed_InactiveOpensNothing()
    {
        var setup = await _admin.SetUpInvitesAsync();
        var other = await _admin.CreateSiteAsync("Moved");
        await (await _admin.PutJsonAsync($"/api/v1/points-of-entry/{setup.GateA}", new { siteId = other, name = "Gate A" }))
            .ExpectProblemAsync(HttpStatusCode.BadRequest, "location_immutable");
        var gate = await server.GateAsync(_admin);
        var pin = (await _admin.InviteAsync(setup)).Issued("pin");
        await (await _admin.PutJsonAsync($"/api/v1/points-of-entry/{setup.GateA}", new { siteId = setup.SiteId, name = "Gate A", active = false }))
            .ExpectAsync(HttpStatusCode.OK);
        Assert.Equal("entry_point_not_allowed", await gate.ReasonAsync(setup.GateA, "pin", pin));
        await (await _admin.PutJsonAsync($"/api/v1/points-of-entry/{setup.GateA}", new { siteId = setup.SiteId, name = "Gate A", active = true }))
            .ExpectAsync(HttpStatusCode.OK);
        Assert.Equal("granted", await gate.ReasonAsync(setup.GateA, "pin", pin));
        var door = await _admin.CreateDoorAsync(setup.SiteId, "Office door");
        Assert.Equal("entry_point_not_allowed", await gate.ReasonAsync(door, "pin", pin));
        await (await _admin.PostJsonAsync("/api/v1/entry-types", new { siteId = setup.SiteId, name = "Bad", methods = new[] { "pin" }, allowedPointOfEntryIds = new[] { door } }))
            .ExpectProblemAsync(HttpStatusCode.BadRequest, "unknown_point_of_entry");

        await (await _admin.RemoveAsync($"/api/v1/doors/{setup.GateA}")).ExpectAsync(HttpStatusCode.NoContent);
        Assert.Equal(0, (await _admin.GetJsonAsync($"/api/v1/entry-types/{setup.EntryTypeId}")).GetProperty("allowedPointOfEntryIds").GetArrayLength());
        // Its only gate gone, the credential opens nothing rather than every point of entry.
        Assert.Equal("credential_revoked", await gate.ReasonAsync(setup.GateB, "pin", pin));
    }

    [Fact]
    public async Task Deleting_DraftCancels_VisitorRecordTakesItsInvites_EmptySiteTakesItsEntryTypes()
    {
        var setup = await _admin.SetUpInvitesAsync();
        var draft = await _admin.InviteAsync(setup, issue: false);
        Assert.Equal("cancelled", (await (await _admin.ActAsync(draft.Reference(), "cancel")).ExpectAsync(HttpStatusCode.OK)).Status());

        var issued = await _admin.InviteAsync(setup);
        var visitor = issued.GetProperty("invite").GetProperty("visitorPersonId").GetGuid();
        await (await _admin.RemoveAsync($"/api/v1/people/{visitor}")).ExpectAsync(HttpStatusCode.NoContent);
        await (await _admin.GetAsync($"/api/v1/invites/{issued.Reference()}", TestContext.Current.CancellationToken))
            .ExpectProblemAsync(HttpStatusCode.NotFound, "not_found");
        var gate = await server.GateAsync(_admin);
        Assert.Equal("invalid_credential", await gate.ReasonAsync(setup.GateA, "pin", issued.Issued("pin")));

        var empty = await _admin.CreateSiteAsync("Short-lived");
        await (await _admin.PostJsonAsync("/api/v1/entry-types", new { siteId = empty, name = "Day pass", methods = new[] { "qr" } })).ExpectAsync(HttpStatusCode.Created);
        await (await _admin.RemoveAsync($"/api/v1/sites/{empty}")).ExpectAsync(HttpStatusCode.NoContent);
    }

    [Fact]
    public async Task ModuleSwitchedOff_EveryRouteAnswersModuleDisabled_UntilSwitchedOn()
    {
        var setup = await _admin.SetUpInvitesAsync();
        await (await _admin.PutJsonAsync("/api/v1/access-settings", new { moduleEnabled = false })).ExpectAsync(HttpStatusCode.OK);
        try
        {
            await (await _admin.GetAsync("/api/v1/invites", TestContext.Current.CancellationToken)).ExpectProblemAsync(HttpStatusCode.Forbidden, "module_disabled");
            await (await _admin.GetAsync("/api/v1/entry-types", TestContext.Current.CancellationToken)).ExpectProblemAsync(HttpStatusCode.Forbidden, "module_disabled");
            await (await _admin.ValidateAsync(setup.GateA, "pin", "123456")).ExpectProblemAsync(HttpStatusCode.Forbidden, "module_disabled");
        }
        finally
        {
            await (await _admin.PutJsonAsync("/api/v1/access-settings", new { moduleEnabled = true })).ExpectAsync(HttpStatusCode.OK);
        }
        await _admin.GetJsonAsync("/api/v1/invites");
    }
}

public sealed class InviteLifecycleSqliteTests(SqliteServerFixture fixture) : InviteLifecycleTests(fixture.Server), IClassFixture<SqliteServerFixture>;

public sealed class InviteLifecyclePostgresTests(PostgresServerFixture fixture) : InviteLifecycleTests(fixture.Server), IClassFixture<PostgresServerFixture>;
