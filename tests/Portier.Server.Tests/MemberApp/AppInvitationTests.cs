using System.Globalization;
using System.Net;
using Portier.Server.Tests.Infrastructure;

namespace Portier.Server.Tests.MemberApp;

public sealed class AppInvitationTests
{
    [Fact]
    public async Task Invite_OverSmtp_SendsTheAppLinkAndTracksThePerson()
    {
        await using var smtp = new SmtpListener();
        await using var server = await ServerAsync(smtp.Port);
        var admin = server.Admin();
        var site = await admin.CreateSiteAsync();
        var person = await PersonAsync(admin, site, "ada@example.org");
        var other = await PersonAsync(admin, site, "bob@example.org");
        Assert.Equal("not_invited", (await admin.GetJsonAsync($"/api/v1/people/{person}/app-invitation")).GetProperty("status").GetString());

        var sent = await (await admin.PostJsonAsync($"/api/v1/people/{person}/app-invitation", new { })).ExpectAsync(HttpStatusCode.OK);

        Assert.Equal("invited", sent.GetProperty("status").GetString());
        Assert.Equal(1, sent.GetProperty("sendCount").GetInt32());
        var message = await smtp.WaitForAsync("ada@example.org", TimeSpan.FromSeconds(10));
        Assert.Contains($"https://portier.example/app?site={site}", message.TextBody, StringComparison.Ordinal);
        var listed = await admin.GetJsonAsync($"/api/v1/app-invitations?siteId={site}");
        Assert.Equal([person], listed.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("personId").GetGuid()));
        Assert.Equal("not_invited", (await admin.GetJsonAsync($"/api/v1/people/{other}/app-invitation")).GetProperty("status").GetString());
    }

    [Fact]
    public async Task Invite_MailServerUnreachable_IsRecordedAsSendFailed()
    {
        int closedPort;
        await using (var probe = new SmtpListener()) closedPort = probe.Port;
        await using var server = await ServerAsync(closedPort);
        var admin = server.Admin();
        var site = await admin.CreateSiteAsync();
        var person = await PersonAsync(admin, site, "ada@example.org");

        var failed = await (await admin.PostJsonAsync($"/api/v1/people/{person}/app-invitation", new { })).ExpectAsync(HttpStatusCode.OK);

        Assert.Equal("send_failed", failed.GetProperty("status").GetString());
        Assert.False(string.IsNullOrEmpty(failed.GetProperty("lastError").GetString()));
        Assert.Equal("send_failed", (await admin.GetJsonAsync($"/api/v1/people/{person}/app-invitation")).GetProperty("status").GetString());
        Assert.Equal(1, await admin.TotalAsync($"/api/v1/app-invitations?siteId={site}&status=send_failed"));
    }

    [Fact]
    public async Task Invite_NoEmailPermissionsAndSites_AreEnforced()
    {
        await using var smtp = new SmtpListener();
        await using var server = await ServerAsync(smtp.Port);
        var admin = server.Admin();
        var site = await admin.CreateSiteAsync();
        var other = await admin.CreateSiteAsync("Other");
        var person = await PersonAsync(admin, site, "ada@example.org");
        var noEmail = (await (await admin.PostJsonAsync("/api/v1/people", new { siteId = site, name = "No Mail", personType = "Member" }))
            .ExpectAsync(HttpStatusCode.Created)).Id();
        var reader = server.WithToken(await admin.CreateTokenAsync(["people:read"]));
        var otherSite = server.WithToken(await admin.CreateTokenAsync(["people:read", "people:write"], [other]));

        await (await admin.PostJsonAsync($"/api/v1/people/{noEmail}/app-invitation", new { })).ExpectProblemAsync(HttpStatusCode.BadRequest, "person_has_no_email");
        await (await reader.PostJsonAsync($"/api/v1/people/{person}/app-invitation", new { })).ExpectProblemAsync(HttpStatusCode.Forbidden, "forbidden");
        await (await otherSite.PostJsonAsync($"/api/v1/people/{person}/app-invitation", new { })).ExpectProblemAsync(HttpStatusCode.NotFound, "not_found");
        await (await otherSite.GetAsync($"/api/v1/people/{person}/app-invitation", TestContext.Current.CancellationToken)).ExpectProblemAsync(HttpStatusCode.NotFound, "not_found");

        Assert.Equal(0, await admin.TotalAsync($"/api/v1/app-invitations?siteId={site}"));
        Assert.Empty(smtp.Messages);
    }

    private static async Task<PortierServer> ServerAsync(int smtpPort) =>
        new(await TestDatabase.CreateAsync(DatabaseKind.Sqlite), PortierServer.WithSettings(new Dictionary<string, string?>
        {
            ["Email:Delivery"] = "Smtp",
            ["Email:SmtpHost"] = "127.0.0.1",
            ["Email:SmtpPort"] = smtpPort.ToString(CultureInfo.InvariantCulture),
            ["Email:SmtpSecurity"] = "None",
            ["Invites:PublicBaseUrl"] = "https://portier.example",
        }));

    private static async Task<Guid> PersonAsync(HttpClient admin, Guid site, string email) =>
        (await (await admin.PostJsonAsync("/api/v1/people", new { siteId = site, name = "Ada", email, personType = "Member" }))
            .ExpectAsync(HttpStatusCode.Created)).Id();
}
