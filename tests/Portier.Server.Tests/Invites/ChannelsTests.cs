using System.Net;
using System.Text.Json;
using Portier.Server.Infrastructure.Outbound;
using Portier.Server.Tests.Infrastructure;

namespace Portier.Server.Tests.Invites;

public abstract class ChannelsTests(PortierServer server)
{
    private readonly HttpClient _admin = server.Admin();

    private static object Webhook(string code, string authMode = "none", string? bearerToken = null) => new
    {
        code, name = "Gatekeeper", handler = "webhook", displayOrder = 1,
        configuration = bearerToken is null
            ? new Dictionary<string, string> { ["url"] = "http://127.0.0.1:9/hook", ["signingSecret"] = "s3cret-signing", ["authMode"] = authMode }
            : new Dictionary<string, string> { ["url"] = "http://127.0.0.1:9/hook", ["signingSecret"] = "s3cret-signing", ["authMode"] = authMode, ["bearerToken"] = bearerToken },
    };

    private static string Unique(string prefix) => $"{prefix}_{Guid.NewGuid():N}"[..20];

    [Fact]
    public async Task Handlers_ListFieldsAndCapabilities()
    {
        var handlers = await _admin.GetJsonAsync("/api/v1/channel-handlers");
        var webhook = handlers.EnumerateArray().Single(h => h.GetProperty("name").GetString() == "webhook");
        Assert.True(webhook.GetProperty("capabilities").GetProperty("inboundValidation").GetBoolean());
        var bearer = webhook.GetProperty("fields").EnumerateArray().Single(f => f.GetProperty("name").GetString() == "bearerToken");
        Assert.Equal("authMode", bearer.GetProperty("requiredWhenField").GetString());
        var builtIn = handlers.EnumerateArray().Single(h => h.GetProperty("name").GetString() == "portier");
        Assert.False(builtIn.GetProperty("capabilities").GetProperty("faceVerification").GetBoolean());
    }

    [Fact]
    public async Task Configuration_RequiredAndConditionalFieldsAreValidated_SecretsNeverReadBack()
    {
        await (await _admin.PostJsonAsync("/api/v1/channels", new { code = "bad code", name = "X", handler = "webhook" }))
            .ExpectProblemAsync(HttpStatusCode.BadRequest, "validation_failed");
        var missing = await (await _admin.PostJsonAsync("/api/v1/channels", new { code = Unique("c"), name = "X", handler = "webhook", configuration = new { authMode = "none" } }))
            .ExpectProblemAsync(HttpStatusCode.BadRequest, "validation_failed");
        Assert.True(missing.GetProperty("errors").TryGetProperty("configuration.url", out _));
        Assert.True(missing.GetProperty("errors").TryGetProperty("configuration.signingSecret", out _));
        Assert.False(missing.GetProperty("errors").TryGetProperty("configuration.bearerToken", out _));
        var conditional = await (await _admin.PostJsonAsync("/api/v1/channels", Webhook(Unique("c"), authMode: "bearer")))
            .ExpectProblemAsync(HttpStatusCode.BadRequest, "validation_failed");
        Assert.True(conditional.GetProperty("errors").TryGetProperty("configuration.bearerToken", out _));
        await (await _admin.PostJsonAsync("/api/v1/channels", new { code = Unique("c"), name = "X", handler = "fortress" }))
            .ExpectProblemAsync(HttpStatusCode.BadRequest, "validation_failed");

        var code = Unique("gk");
        var created = await (await _admin.PostJsonAsync("/api/v1/channels", Webhook(code, "bearer", "tok-123"))).ExpectAsync(HttpStatusCode.Created);
        Assert.Equal("********", created.GetProperty("configuration").GetProperty("signingSecret").GetString());
        Assert.Equal($"/api/v1/channels/{code}/validate", created.GetProperty("inboundValidationUrl").GetString());
        Assert.NotNull(created.GetProperty("inboundSecret").GetString());
        var read = await _admin.GetJsonAsync($"/api/v1/channels/{created.Id()}");
        Assert.Equal(JsonValueKind.Null, read.GetProperty("inboundSecret").ValueKind);
        Assert.DoesNotContain("s3cret-signing", read.GetRawText(), StringComparison.Ordinal);
        Assert.DoesNotContain("tok-123", (await _admin.GetJsonAsync($"/api/v1/audit?entityId={created.Id()}")).GetRawText(), StringComparison.Ordinal);
        await (await _admin.PostJsonAsync("/api/v1/channels", Webhook(code))).ExpectProblemAsync(HttpStatusCode.Conflict, "channel_code_taken");
        await (await _admin.PutJsonAsync($"/api/v1/channels/{created.Id()}", new { code, name = "Renamed", handler = "portier" }))
            .ExpectProblemAsync(HttpStatusCode.Conflict, "handler_immutable");
    }

    private static readonly JsonSerializerOptions WebJson = new(JsonSerializerDefaults.Web);

    /// <summary>A gate's call: the body signed (Standard Webhooks) with the channel's inbound secret.</summary>
    private async Task<HttpResponseMessage> InboundAsync(string code, object body, string secret, string? id = null, DateTimeOffset? at = null)
    {
        var json = JsonSerializer.Serialize(body, WebJson);
        var timestamp = (at ?? server.Clock.GetUtcNow()).ToUnixTimeSeconds();
        id ??= StandardWebhooks.NewMessageId();
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/channels/{code}/validate")
        {
            Content = new StringContent(json, System.Text.Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("webhook-id", id);
        request.Headers.Add("webhook-timestamp", timestamp.ToString(System.Globalization.CultureInfo.InvariantCulture));
        request.Headers.Add("webhook-signature", StandardWebhooks.Sign(secret, id, timestamp, json));
        return await server.Anonymous().SendAsync(request, TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task InboundValidation_SignedCallAtALinkedSite_ValidatesLikeTheGate()
    {
        var setup = await _admin.SetUpInvitesAsync();
        var code = Unique("in");
        var channel = await (await _admin.PostJsonAsync("/api/v1/channels", Webhook(code))).ExpectAsync(HttpStatusCode.Created);
        var secret = channel.GetProperty("inboundSecret").GetString()!;
        Assert.StartsWith("whsec_", secret, StringComparison.Ordinal);
        var pin = (await _admin.InviteAsync(setup)).Issued("pin");
        var body = new { pointOfEntryId = setup.GateA, method = "pin", value = pin };

        await (await InboundAsync(code, body, StandardWebhooks.NewSecret())).ExpectProblemAsync(HttpStatusCode.Unauthorized, "unauthorized");
        var unsigned = server.Anonymous();
        unsigned.DefaultRequestHeaders.Add("X-Portier-Channel-Secret", secret);
        await (await unsigned.PostJsonAsync($"/api/v1/channels/{code}/validate", body)).ExpectProblemAsync(HttpStatusCode.Unauthorized, "unauthorized");
        await (await InboundAsync(code, body, secret)).ExpectProblemAsync(HttpStatusCode.NotFound, "not_found");

        await (await _admin.PutJsonAsync($"/api/v1/channels/{channel.Id()}/sites", new { siteIds = new[] { setup.SiteId } })).ExpectAsync(HttpStatusCode.OK);
        var answer = await (await InboundAsync(code, body, secret)).ExpectAsync(HttpStatusCode.OK);
        Assert.True(answer.GetProperty("allowed").GetBoolean());

        var rotated = await (await _admin.PostJsonAsync($"/api/v1/channels/{channel.Id()}/inbound-secret", new { })).ExpectAsync(HttpStatusCode.OK);
        await (await InboundAsync(code, body, secret)).ExpectProblemAsync(HttpStatusCode.Unauthorized, "unauthorized");
        Assert.Equal("granted", (await (await InboundAsync(code, body, rotated.GetProperty("inboundSecret").GetString()!)).ExpectAsync(HttpStatusCode.OK))
            .GetProperty("reason").GetString());

        var own = await (await _admin.PostJsonAsync("/api/v1/channels", new { code = Unique("own"), name = "Own", handler = "portier" })).ExpectAsync(HttpStatusCode.Created);
        Assert.Equal(JsonValueKind.Null, own.GetProperty("inboundValidationUrl").ValueKind);
        await (await _admin.PostJsonAsync($"/api/v1/channels/{own.Id()}/inbound-secret", new { })).ExpectProblemAsync(HttpStatusCode.Conflict, "inbound_not_supported");
    }

    [Fact]
    public async Task InboundValidation_StaleOrReplayedCall_IsRefused()
    {
        var setup = await _admin.SetUpInvitesAsync();
        var code = Unique("rp");
        var channel = await (await _admin.PostJsonAsync("/api/v1/channels", Webhook(code))).ExpectAsync(HttpStatusCode.Created);
        var secret = channel.GetProperty("inboundSecret").GetString()!;
        await (await _admin.PutJsonAsync($"/api/v1/channels/{channel.Id()}/sites", new { siteIds = new[] { setup.SiteId } })).ExpectAsync(HttpStatusCode.OK);
        var body = new { pointOfEntryId = setup.GateA, method = "pin", value = (await _admin.InviteAsync(setup)).Issued("pin") };
        var now = server.Clock.GetUtcNow();

        await (await InboundAsync(code, body, secret, at: now.AddMinutes(-6))).ExpectProblemAsync(HttpStatusCode.Unauthorized, "timestamp_outside_window");
        await (await InboundAsync(code, body, secret, at: now.AddMinutes(6))).ExpectProblemAsync(HttpStatusCode.Unauthorized, "timestamp_outside_window");
        await (await InboundAsync(code, body, secret, id: "msg_once", at: now.AddMinutes(-4))).ExpectAsync(HttpStatusCode.OK);
        await (await InboundAsync(code, body, secret, id: "msg_once", at: now.AddMinutes(-4))).ExpectProblemAsync(HttpStatusCode.Conflict, "message_replayed");
        await (await InboundAsync(code, body, secret, id: "msg_once")).ExpectProblemAsync(HttpStatusCode.Conflict, "message_replayed");
    }

    [Fact]
    public async Task Biometric_OnlyThroughAChannelThatVerifiesFaces_DefaultAndLinkedChannelsApply()
    {
        var setup = await _admin.SetUpInvitesAsync(methods: ["qr", "facial"]);
        await (await _admin.PostJsonAsync("/api/v1/invites", new { siteId = setup.SiteId, entryTypeId = setup.EntryTypeId, visitorName = "Face" }))
            .ExpectProblemAsync(HttpStatusCode.BadRequest, "method_not_supported_by_channel");

        var channel = await (await _admin.PostJsonAsync("/api/v1/channels", Webhook(Unique("bio")))).ExpectAsync(HttpStatusCode.Created);
        await (await _admin.PutJsonAsync($"/api/v1/channels/{channel.Id()}/sites", new { siteIds = new[] { setup.SiteId } })).ExpectAsync(HttpStatusCode.OK);
        var result = await _admin.InviteAsync(setup);
        Assert.Equal(channel.GetProperty("code").GetString(), result.GetProperty("invite").GetProperty("channel").GetString());
        var methods = result.GetProperty("invite").GetProperty("credentials").EnumerateArray().Select(c => c.GetProperty("method").GetString()).ToList();
        Assert.Equal(["facial", "qr"], methods.Order(StringComparer.Ordinal));
        Assert.Contains("failed", result.GetProperty("invite").GetProperty("channelOutput").GetString(), StringComparison.Ordinal);
        Assert.Contains("resync", result.GetProperty("invite").GetProperty("actions").EnumerateArray().Select(a => a.GetString()));
        await (await _admin.ActAsync(result.Reference(), "resync")).ExpectAsync(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Webhook_ReceivesSignedIssueWithThePinAndQr_ThenRevoke()
    {
        await using var receiver = new RecordingHttpListener();
        var setup = await _admin.SetUpInvitesAsync();
        var channel = await (await _admin.PostJsonAsync("/api/v1/channels", new
        {
            code = Unique("wh"), name = "Remote gates", handler = "webhook",
            configuration = new Dictionary<string, string>
            {
                ["url"] = receiver.Url, ["signingSecret"] = "hook-secret", ["authMode"] = "bearer", ["bearerToken"] = "remote-token",
            },
        })).ExpectAsync(HttpStatusCode.Created);
        var result = await _admin.InviteAsync(setup, channelId: channel.Id());
        Assert.Contains("credentials.issued → HTTP 200", result.GetProperty("invite").GetProperty("channelOutput").GetString(), StringComparison.Ordinal);

        var (headers, body) = Assert.Single(receiver.Received);
        // Standard Webhooks; a secret typed in by hand (no whsec_ prefix) signs as its UTF-8 bytes.
        var expected = "v1," + Convert.ToBase64String(System.Security.Cryptography.HMACSHA256.HashData("hook-secret"u8.ToArray(),
            System.Text.Encoding.UTF8.GetBytes($"{headers["webhook-id"]}.{headers["webhook-timestamp"]}.").Concat(body).ToArray()));
        Assert.Equal(expected, headers["webhook-signature"]);
        Assert.Equal(server.Clock.GetUtcNow().ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture), headers["webhook-timestamp"]);
        Assert.Equal("Bearer remote-token", headers["Authorization"]);
        var pushed = JsonDocument.Parse(body).RootElement;
        Assert.Equal("credentials.issued", pushed.GetProperty("event").GetString());
        Assert.Equal(result.Issued("pin"), pushed.GetProperty("pin").GetString());
        Assert.Equal(result.Issued("qr"), pushed.GetProperty("qr").GetString());
        Assert.Equal(result.Reference(), pushed.GetProperty("invite").GetProperty("reference").GetString());

        await (await _admin.ActAsync(result.Reference(), "revoke")).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(2, receiver.Received.Count);
        var revoked = JsonDocument.Parse(receiver.Received.Last().Body).RootElement;
        Assert.Equal("credentials.revoked", revoked.GetProperty("event").GetString());
        Assert.Equal(JsonValueKind.Null, revoked.GetProperty("pin").ValueKind);
    }

    [Fact]
    public async Task TenantDefault_IsUsedWhenTheSiteHasNoLinkedChannel()
    {
        var setup = await _admin.SetUpInvitesAsync();
        var channel = await (await _admin.PostJsonAsync("/api/v1/channels", new { code = Unique("own"), name = "Own doors", handler = "portier" }))
            .ExpectAsync(HttpStatusCode.Created);
        await (await _admin.PutJsonAsync("/api/v1/access-settings", new { defaultChannelId = channel.Id() })).ExpectAsync(HttpStatusCode.OK);
        try
        {
            var result = await _admin.InviteAsync(setup, issue: false);
            Assert.Equal(channel.Id(), result.GetProperty("invite").GetProperty("channelId").GetGuid());
            Assert.True((await _admin.GetJsonAsync($"/api/v1/channels/{channel.Id()}")).GetProperty("isDefault").GetBoolean());
            await (await _admin.RemoveAsync($"/api/v1/channels/{channel.Id()}")).ExpectProblemAsync(HttpStatusCode.Conflict, "channel_in_use");
        }
        finally
        {
            await (await _admin.PutJsonAsync("/api/v1/access-settings", new { defaultChannelId = (Guid?)null })).ExpectAsync(HttpStatusCode.OK);
        }
    }

    [Fact]
    public async Task Members_WithCreateOwn_RaiseAndSeeOnlyTheirOwnInvites()
    {
        var setup = await _admin.SetUpInvitesAsync();
        var (alice, aliceApp) = await server.SignInMemberAsync(_admin, setup.SiteId);
        var (bob, bobApp) = await server.SignInMemberAsync(_admin, setup.SiteId);
        var body = new { entryTypeId = setup.EntryTypeId, visitorName = "Alice's plumber", issueCredential = true };
        await (await aliceApp.PostJsonAsync("/api/v1/app/invites", body)).ExpectProblemAsync(HttpStatusCode.Forbidden, "forbidden");

        await (await _admin.PutJsonAsync($"/api/v1/people/{alice}/member-permissions", new { permissions = new[] { "invites:create_own" } })).ExpectAsync(HttpStatusCode.OK);
        await (await _admin.PutJsonAsync($"/api/v1/people/{alice}/member-permissions", new { permissions = new[] { "invites:read" } }))
            .ExpectProblemAsync(HttpStatusCode.BadRequest, "validation_failed");
        var created = await (await aliceApp.PostJsonAsync("/api/v1/app/invites", body)).ExpectAsync(HttpStatusCode.Created);
        Assert.Equal(alice, created.GetProperty("invite").GetProperty("hostPersonId").GetGuid());
        Assert.True(created.GetProperty("invite").GetProperty("raisedByMember").GetBoolean());
        await _admin.InviteAsync(setup, name: "Operator's guest");

        var own = await aliceApp.GetJsonAsync("/api/v1/app/invites");
        Assert.Equal(["Alice's plumber"], own.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("visitor").GetProperty("name").GetString()));
        await aliceApp.GetJsonAsync($"/api/v1/app/invites/{created.Reference()}");
        await (await aliceApp.GetAsync("/api/v1/invites", TestContext.Current.CancellationToken)).ExpectProblemAsync(HttpStatusCode.Forbidden, "forbidden");
        await (await bobApp.GetAsync($"/api/v1/app/invites/{created.Reference()}", TestContext.Current.CancellationToken)).ExpectProblemAsync(HttpStatusCode.Forbidden, "forbidden");

        // A member's permissions are read on each request: the grant applies to the session already open.
        await (await _admin.PutJsonAsync($"/api/v1/people/{bob}/member-permissions", new { permissions = new[] { "invites:create_own" } })).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(0, (await bobApp.GetJsonAsync("/api/v1/app/invites")).GetProperty("total").GetInt32());
        await (await bobApp.GetAsync($"/api/v1/app/invites/{created.Reference()}", TestContext.Current.CancellationToken)).ExpectProblemAsync(HttpStatusCode.NotFound, "not_found");
        Assert.Contains(created.Reference(), (await _admin.GetJsonAsync("/api/v1/invites?q=plumber")).GetRawText(), StringComparison.Ordinal);
    }
}

public sealed class ChannelsSqliteTests(SqliteServerFixture fixture) : ChannelsTests(fixture.Server), IClassFixture<SqliteServerFixture>;

public sealed class ChannelsPostgresTests(PostgresServerFixture fixture) : ChannelsTests(fixture.Server), IClassFixture<PostgresServerFixture>;
