using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Hosting;
using Portier.Server.Tests.Infrastructure;

namespace Portier.Server.Tests.Hosting;

/// <summary>
/// Over real HTTP on 127.0.0.1: the sign-in limit counts per caller address, and X-Forwarded-For
/// names that address only when the connection comes from a proxy the operator configured.
/// </summary>
public sealed class ReverseProxyHeadersTests
{
    private const int Limit = 2;

    private static async Task<PortierServer> StartAsync(params (string Key, string Value)[] settings)
    {
        var server = new PortierServer(await TestDatabase.CreateAsync(DatabaseKind.Sqlite), builder =>
        {
            builder.UseSetting("Auth:SignInAttemptsPerMinute", Limit.ToString(System.Globalization.CultureInfo.InvariantCulture));
            foreach (var (key, value) in settings) builder.UseSetting(key, value);
        });
        server.UseKestrel(PortierServer.FreePort());
        server.StartServer();
        return server;
    }

    /// <summary>One admin sign-in attempt claiming to come from <paramref name="forwardedFor"/>; answers the status.</summary>
    private static async Task<HttpStatusCode> SignInAsync(HttpClient client, string forwardedFor)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/auth/login")
        {
            Content = JsonContent.Create(new { email = "nobody@example.org", password = "not-the-password" }),
        };
        request.Headers.Add("X-Forwarded-For", forwardedFor);
        using var response = await client.SendAsync(request, TestContext.Current.CancellationToken);
        return response.StatusCode;
    }

    private static async Task<List<HttpStatusCode>> SignInFromFreshAddressesAsync(HttpClient client) =>
        [.. await Task.WhenAll(Enumerable.Range(1, Limit + 1).Select(async i => await SignInAsync(client, $"203.0.113.{i}")))];

    [Fact]
    public async Task ForgedForwardedFor_NoProxyConfigured_IsIgnored_TheLimitCountsTheConnection()
    {
        await using var server = await StartAsync();
        var client = server.CreateClient();

        var statuses = await SignInFromFreshAddressesAsync(client);

        Assert.Equal(1, statuses.Count(s => s == HttpStatusCode.TooManyRequests));
    }

    [Fact]
    public async Task ForgedForwardedFor_FromAnAddressThatIsNotTheConfiguredProxy_IsIgnored()
    {
        await using var server = await StartAsync(("ReverseProxy:KnownProxies:0", "192.0.2.10"), ("ReverseProxy:KnownNetworks:0", "198.51.100.0/24"));
        var client = server.CreateClient();

        var statuses = await SignInFromFreshAddressesAsync(client);

        Assert.Equal(1, statuses.Count(s => s == HttpStatusCode.TooManyRequests));
    }

    [Theory]
    [InlineData("ReverseProxy:KnownProxies:0", "127.0.0.1")]
    [InlineData("ReverseProxy:KnownNetworks:0", "127.0.0.0/8")]
    public async Task ForwardedFor_FromTheConfiguredProxy_IsTheCallerTheLimitCounts(string setting, string proxy)
    {
        await using var server = await StartAsync((setting, proxy));
        var client = server.CreateClient();

        // Each caller behind the proxy has its own allowance...
        var statuses = await SignInFromFreshAddressesAsync(client);
        Assert.DoesNotContain(HttpStatusCode.TooManyRequests, statuses);

        // ...and one caller is still limited, whatever it puts before the address the proxy appended.
        for (var i = 0; i < Limit - 1; i++)
            Assert.NotEqual(HttpStatusCode.TooManyRequests, await SignInAsync(client, $"10.{i}.0.1, 203.0.113.1"));
        Assert.Equal(HttpStatusCode.TooManyRequests, await SignInAsync(client, "10.99.0.1, 203.0.113.1"));
    }

    [Theory]
    [InlineData("ReverseProxy:KnownProxies:0", "proxy.example", "ReverseProxy:KnownProxies")]
    [InlineData("ReverseProxy:KnownNetworks:0", "10.0.0.0/99", "ReverseProxy:KnownNetworks")]
    [InlineData("ReverseProxy:ForwardLimit", "0", "ReverseProxy:ForwardLimit")]
    public async Task Start_MalformedProxySetting_FailsNamingTheSetting(string key, string value, string named)
    {
        await using var server = new PortierServer(await TestDatabase.CreateAsync(DatabaseKind.Sqlite), builder =>
        {
            builder.UseSetting("ReverseProxy:KnownProxies:1", "127.0.0.1");
            builder.UseSetting(key, value);
        });

        var failure = Assert.ThrowsAny<Exception>(() => server.Server);

        Assert.Contains(named, failure.ToString(), StringComparison.Ordinal);
    }
}
