using System.Net;
using System.Security.Claims;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portier.Server.Components.Api;
using Portier.Server.Features.Audit;
using Portier.Server.Features.Auth;
using Portier.Server.Features.Doors;
using Portier.Server.Features.People;
using Portier.Server.Features.Sites;
using Portier.Server.Tests.Infrastructure;

namespace Portier.Server.Tests.Console;

/// <summary>The console's API client: typed methods over this server's own pipeline, run in process.</summary>
public sealed partial class ConsoleApiTests(SqliteServerFixture fixture) : IClassFixture<SqliteServerFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private readonly PortierServer _server = fixture.Server;

    [Fact]
    public async Task CreateSiteAndDoor_InProcess_AreStoredAndAudited()
    {
        var api = Console(PortierServer.AdminToken);

        var site = await api.Sites.CreateAsync(new SiteRequest("Console site", "Europe/Berlin"));
        var door = await api.Doors.CreateAsync(new DoorRequest(site.Value!.Id, "Console door"));
        var doors = await api.Doors.ListAsync(site.Value.Id);

        Assert.True(door.Ok, door.Problem?.Summary);
        Assert.Equal(["Console door"], doors.Value!.Items.Select(d => d.Name));
        var audited = await _server.QueryAsync(db => db.Set<AuditEntry>().AnyAsync(a => a.EntityId == door.Value!.Id, Ct));
        Assert.True(audited);
    }

    [Fact]
    public async Task Readers_AddedListedAndRemoved_InProcess_ShowOnTheirDoor()
    {
        var api = Console(PortierServer.AdminToken);
        var site = await api.Sites.CreateAsync(new SiteRequest("Reader site", "Europe/Berlin"));
        var front = (await api.Doors.CreateAsync(new DoorRequest(site.Value!.Id, "Front"))).Value!;
        var back = (await api.Doors.CreateAsync(new DoorRequest(site.Value.Id, "Back"))).Value!;
        var device = (await api.Devices.CreateAsync(new Features.Devices.DeviceRequest(front.Id, "Lobby controller"))).Value!;

        var added = await api.Devices.AddReaderAsync(device.Id, new Features.Devices.ReaderRequest("back exit", back.Id, Features.Devices.ReaderKind.Keypad, Features.Devices.ReaderDirection.Exit));
        var refused = await api.Devices.AddReaderAsync(device.Id, new Features.Devices.ReaderRequest("back exit", front.Id));
        var atBack = (await api.Doors.GetAsync(back.Id)).Value!;

        Assert.True(added.Ok, added.Problem?.Summary);
        Assert.Equal((400, "reader_id_taken"), (refused.Problem!.Status, refused.Problem.Code));
        var reader = Assert.Single(atBack.Readers!);
        Assert.Equal(("Lobby controller", "back exit", Features.Devices.ReaderDirection.Exit), (reader.DeviceName, reader.ReaderId, reader.Direction));
        Assert.True((await api.Devices.RemoveReaderAsync(device.Id, "back exit")).Ok);
        Assert.Empty((await api.Devices.ReadersAsync(device.Id)).Value!);
    }

    [Fact]
    public async Task Bundles_OfSite_ListThePairedControllersBundle()
    {
        var api = Console(PortierServer.AdminToken);
        var site = (await api.Sites.CreateAsync(new SiteRequest("Bundle site", "Europe/Berlin", OfflineHorizonMinutes: 60))).Value!;
        var door = (await api.Doors.CreateAsync(new DoorRequest(site.Id, "Bundle door", FailMode: Portier.Core.Model.DoorFailMode.Safe))).Value!;
        var device = await Devices.DeviceKit.CreatePairedDeviceAsync(_server, door.Id);

        await _server.Admin().CreatePersonAsync(site.Id);

        List<Portier.Server.Features.Bundles.ControllerBundleResponse> bundles = [];
        await Devices.DeviceKit.EventuallyAsync(async () => (bundles = (await api.Devices.BundlesAsync(site.Id)).Value ?? []).Count == 1, "the controller's bundle is built");
        var bundle = Assert.Single(bundles);
        Assert.Equal((device.Id, door.Id, true), (bundle.DeviceId, bundle.DoorId, bundle.Behind));
        Assert.True(bundle.Version >= 1);
        Assert.Null(bundle.AcknowledgedVersion);
        Assert.Equal((60, Portier.Core.Model.DoorFailMode.Safe), (site.OfflineHorizonMinutes, door.FailMode));
    }

    [Fact]
    public async Task Request_WithoutSessionToken_IsRefusedByTheApi()
    {
        var result = await Console(token: null).Sites.ListAsync();

        Assert.Equal(401, result.Problem!.Status);
        Assert.Equal("unauthorized", result.Problem.Code);
    }

    [Fact]
    public async Task Request_WithoutPermission_IsForbiddenAsForTheApi()
    {
        var site = await _server.Admin().CreateSiteAsync("Forbidden site");
        var reader = await _server.Admin().CreateTokenAsync([Permissions.SitesRead]);

        var result = await Console(reader).Doors.CreateAsync(new DoorRequest(site, "Not allowed"));

        Assert.Equal(403, result.Problem!.Status);
        Assert.Equal("forbidden", result.Problem.Code);
    }

    [Fact]
    public async Task InvalidBody_ComesBackWithTheApisFieldErrors()
    {
        var result = await Console(PortierServer.AdminToken).Sites.CreateAsync(new SiteRequest("", "Not/AZone"));

        Assert.Equal(400, result.Problem!.Status);
        Assert.NotEmpty(result.Problem.Errors);
    }

    [Fact]
    public async Task OtherSitesDoor_ForASiteScopedAdmin_IsNotFound()
    {
        var admin = _server.Admin();
        var mine = await admin.CreateSiteAsync("Mine");
        var theirs = await admin.CreateDoorAsync(await admin.CreateSiteAsync("Theirs"), "Their door");
        var scoped = await admin.CreateTokenAsync([Permissions.DoorsRead], [mine]);

        var result = await Console(scoped).Doors.GetAsync(theirs);

        Assert.Equal(404, result.Problem!.Status);
    }

    [Fact]
    public async Task PeopleByIds_ReturnsExactlyThoseInOneRequest()
    {
        var admin = _server.Admin();
        var site = await admin.CreateSiteAsync("Named");
        var ada = await admin.CreatePersonAsync(site, "Ada");
        var grace = await admin.CreatePersonAsync(site, "Grace");
        await admin.CreatePersonAsync(site, "Linus");

        var result = await Console(PortierServer.AdminToken).People.ByIdsAsync([ada, grace]);

        Assert.Equal(["Ada", "Grace"], result.Value!.Items.Select(p => p.Name));
    }

    [Fact]
    public async Task Handler_AnsweringWithoutBody_GivesStatusAndNoContent()
    {
        var site = await _server.Admin().CreateSiteAsync("Removed");

        var result = await Console(PortierServer.AdminToken).Sites.DeleteAsync(site);

        Assert.True(result.Ok, result.Problem?.Summary);
        Assert.Equal(404, (await Console(PortierServer.AdminToken).Sites.GetAsync(site)).Problem!.Status);
    }

    [Fact]
    public void ConsolePages_ContainNoApiUrls()
    {
        var components = Path.Combine(RepositoryRoot(), "src", "Portier.Server", "Components");
        var offenders = Directory.EnumerateFiles(components, "*.*", SearchOption.AllDirectories)
            .Where(f => f.EndsWith(".razor", StringComparison.Ordinal) || f.EndsWith(".cs", StringComparison.Ordinal))
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}Api{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .Where(f => ApiUrl().IsMatch(File.ReadAllText(f)))
            .Select(f => Path.GetRelativePath(components, f))
            .ToList();

        Assert.NotEmpty(Directory.EnumerateFiles(components, "*.razor", SearchOption.AllDirectories));
        Assert.Empty(offenders);
    }

    private ConsoleApi Console(string? token)
    {
        var http = new HttpClient(new InProcessHandler(_server.Services.GetRequiredService<InProcessPipeline>())) { BaseAddress = InProcessHandler.BaseAddress };
        return new ConsoleApi(http, new SignedIn(token));
    }

    private static string RepositoryRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
            if (File.Exists(Path.Combine(folder.FullName, "Portier.slnx"))) return folder.FullName;
        throw new InvalidOperationException("No Portier.slnx above the test's folder.");
    }

    [GeneratedRegex(@"/api/v\d")]
    private static partial Regex ApiUrl();

    /// <summary>An admin signed in to the console, holding <paramref name="token"/> as the session token.</summary>
    private sealed class SignedIn(string? token) : AuthenticationStateProvider
    {
        public override Task<AuthenticationState> GetAuthenticationStateAsync() =>
            Task.FromResult(new AuthenticationState(new ClaimsPrincipal(new ClaimsIdentity(
                token is null ? [] : [new Claim(PortierClaims.SessionToken, token)], token is null ? null : "console"))));
    }
}
