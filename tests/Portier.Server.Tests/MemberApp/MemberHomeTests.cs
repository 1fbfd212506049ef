using System.Net;
using Portier.Server.Tests.Infrastructure;

namespace Portier.Server.Tests.MemberApp;

public sealed class MemberHomeTests(SqliteServerFixture fixture) : IClassFixture<SqliteServerFixture>
{
    private readonly PortierServer _server = fixture.Server;
    private readonly HttpClient _admin = fixture.Server.Admin();

    [Fact]
    public async Task Qr_WithABarcodeCredential_ShowsItsNumberAndSymbol_WithoutOne_SaysSo()
    {
        var site = await _admin.CreateSiteAsync();
        var (person, app) = await _server.SignInMemberAsync(_admin, site);
        await (await app.GetAsync("/api/v1/app/qr", TestContext.Current.CancellationToken)).ExpectProblemAsync(HttpStatusCode.NotFound, "no_qr_credential");

        await (await _admin.PostJsonAsync("/api/v1/credentials", new { personId = person, kind = "barcode", value = "MBR-0042", label = "Member pass" }))
            .ExpectAsync(HttpStatusCode.Created);

        var qr = await app.GetJsonAsync("/api/v1/app/qr");
        Assert.Equal("MBR-0042", qr.GetProperty("value").GetString());
        Assert.Equal("Member pass", qr.GetProperty("label").GetString());
        var png = await app.GetByteArrayAsync("/api/v1/app/qr.png", TestContext.Current.CancellationToken);
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], png[..4]);
        await (await _admin.GetAsync("/api/v1/app/qr", TestContext.Current.CancellationToken)).ExpectProblemAsync(HttpStatusCode.Forbidden, "forbidden");
    }

    [Fact]
    public async Task InviteTypes_OnlyWithTheMemberPermission_ListTheSitesActiveEntryTypes()
    {
        var setup = await _admin.SetUpInvitesAsync();
        var (person, app) = await _server.SignInMemberAsync(_admin, setup.SiteId);
        await (await app.GetAsync("/api/v1/app/invite-types", TestContext.Current.CancellationToken)).ExpectProblemAsync(HttpStatusCode.Forbidden, "forbidden");
        Assert.Empty((await app.GetJsonAsync("/api/v1/app/me")).GetProperty("permissions").EnumerateArray());

        await (await _admin.PutJsonAsync($"/api/v1/people/{person}/member-permissions", new { permissions = new[] { "invites:create_own" } }))
            .ExpectAsync(HttpStatusCode.OK);

        var types = await app.GetJsonAsync("/api/v1/app/invite-types");
        Assert.Equal([setup.EntryTypeId], types.EnumerateArray().Select(t => t.GetProperty("id").GetGuid()));
        Assert.Equal(["invites:create_own"], (await app.GetJsonAsync("/api/v1/app/me")).GetProperty("permissions").EnumerateArray().Select(p => p.GetString()));
    }
}
