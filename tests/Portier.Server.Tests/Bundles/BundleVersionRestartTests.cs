using System.Net;
using Portier.Server.Tests.Devices;
using Portier.Server.Tests.Infrastructure;

namespace Portier.Server.Tests.Bundles;

public sealed class BundleVersionRestartTests
{
    [Theory]
    [InlineData(DatabaseKind.Sqlite)]
    [InlineData(DatabaseKind.Postgres)]
    public async Task Restart_KeepsTheVersionAndTheNextChangeGrowsIt(DatabaseKind kind)
    {
        var database = await TestDatabase.CreateAsync(kind);
        Guid site, device;
        long before;
        await using (var first = new PortierServer(database, ownsDatabase: false))
        {
            var admin = first.Admin();
            site = await admin.CreateSiteAsync();
            device = (await first.CreatePairedDeviceAsync(await admin.CreateDoorAsync(site))).Id;
            // Each change waits for its own version, so no rebuild is still to come when the server stops.
            before = await VersionAsync(first, device, atLeast: 1);
            await admin.CreatePersonAsync(site, "First");
            before = await VersionAsync(first, device, atLeast: before + 1);
            await admin.CreatePersonAsync(site, "Second");
            before = await VersionAsync(first, device, atLeast: before + 1);
        }

        await using var second = new PortierServer(database);
        Assert.Equal(before, await VersionAsync(second, device, atLeast: before));
        await second.Admin().CreatePersonAsync(site, "Third");
        Assert.Equal(before + 1, await VersionAsync(second, device, atLeast: before + 1));
    }

    /// <summary>The server's version of the controller's bundle once it reaches <paramref name="atLeast"/>.</summary>
    private static async Task<long> VersionAsync(PortierServer server, Guid device, long atLeast)
    {
        long version = 0;
        await DeviceKit.EventuallyAsync(async () =>
        {
            var response = await server.Admin().GetAsync($"/api/v1/devices/{device}/bundle", TestContext.Current.CancellationToken);
            if (response.StatusCode != HttpStatusCode.OK) return false;
            version = (await response.JsonAsync()).GetProperty("version").GetInt64();
            return version >= atLeast;
        }, $"bundle version {atLeast}");
        return version;
    }
}
