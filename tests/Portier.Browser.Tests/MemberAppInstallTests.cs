using System.Buffers.Binary;
using System.Text.Json;
using Microsoft.Playwright;

namespace Portier.Browser.Tests;

/// <summary>The member app as an installed phone app: its manifest and icons, Chromium's installability, and opening offline with the saved QR code.</summary>
public sealed class MemberAppInstallTests(ConsoleFixture fixture) : IClassFixture<ConsoleFixture>
{
    [Fact]
    public async Task MemberApp_IsInstallable_AndOffline_OpensWithTheSavedQrCode_UntilSignOut()
    {
        var site = await fixture.ApiAsync(HttpMethod.Post, "/api/v1/sites", new { name = "Offline Club", timeZone = "Europe/Lisbon" });
        var siteId = site.GetProperty("id").GetString();
        var person = await fixture.ApiAsync(HttpMethod.Post, "/api/v1/people", new { siteId, name = "Olga Offline", email = "olga@offline.example" });
        await fixture.ApiAsync(HttpMethod.Post, "/api/v1/credentials",
            new { personId = person.GetProperty("id").GetString(), kind = "barcode", value = "OFF-0042", label = "Member pass" });

        var phone = await fixture.Browser.NewPageAsync(fixture.Server.BaseAddress, phone: true);
        await phone.GotoAsync($"/app?site={siteId}");
        await AssertManifestAsync(phone);
        // The worker takes over the page it was registered from, so the code fetched after sign-in is saved.
        await phone.WaitForFunctionAsync("() => navigator.serviceWorker.controller !== null && navigator.serviceWorker.controller.scriptURL.endsWith('/app/sw.js')");
        var cdp = await phone.Context.NewCDPSessionAsync(phone);
        var installability = await cdp.SendAsync("Page.getInstallabilityErrors");
        Assert.Equal("[]", installability!.Value.GetProperty("installabilityErrors").GetRawText());

        await phone.Locator("#email").FillAsync("olga@offline.example");
        await phone.Locator("#send-code").ClickAsync();
        await phone.Locator("#code").FillAsync(await fixture.Server.MailedCodeAsync("olga@offline.example"));
        await phone.Locator("#verify").ClickAsync();
        await Assertions.Expect(phone.Locator("#qr-text")).ToContainTextAsync("OFF-0042");
        await Assertions.Expect(phone.Locator("#qr-saved")).ToBeHiddenAsync();
        await phone.WaitForFunctionAsync("async () => !!(await (await caches.open('portier-app-qr')).match('/api/v1/app/qr.png'))");

        await phone.Context.SetOfflineAsync(true);
        await phone.ReloadAsync();
        await Assertions.Expect(phone.Locator("#greeting")).ToHaveTextAsync("Hello, Olga Offline.");
        await Assertions.Expect(phone.Locator("#offline-doors")).ToBeVisibleAsync();
        await Assertions.Expect(phone.Locator("#qr-image")).ToBeVisibleAsync();
        await Assertions.Expect(phone.Locator("#qr-text")).ToContainTextAsync("OFF-0042");
        await Assertions.Expect(phone.Locator("#qr-saved")).ToHaveTextAsync("offline: showing your saved code");
        Assert.True(await phone.Locator("#qr-image").EvaluateAsync<bool>("img => img.complete && img.naturalWidth > 0"));
        await Browser.ScreenshotAsync(phone, "member-app-offline");

        // Signing out forgets the saved code.
        await phone.Locator("#sign-out").ClickAsync();
        await phone.WaitForFunctionAsync("async () => !(await caches.has('portier-app-qr'))");
        await phone.Context.SetOfflineAsync(false);
    }

    /// <summary>The page links a valid manifest whose icons are PNGs of the sizes it states, and the worker may control /app.</summary>
    private async Task AssertManifestAsync(IPage phone)
    {
        Assert.Equal("/app/manifest.webmanifest", await phone.Locator("link[rel=manifest]").GetAttributeAsync("href"));
        Assert.NotNull(await phone.Locator("link[rel=apple-touch-icon]").GetAttributeAsync("href"));
        using var http = new HttpClient { BaseAddress = fixture.Server.BaseAddress };
        using var manifestResponse = await http.GetAsync("/app/manifest.webmanifest");
        manifestResponse.EnsureSuccessStatusCode();
        Assert.Equal("application/manifest+json", manifestResponse.Content.Headers.ContentType?.MediaType);
        var manifest = JsonDocument.Parse(await manifestResponse.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("Portier", manifest.GetProperty("short_name").GetString());
        Assert.False(string.IsNullOrWhiteSpace(manifest.GetProperty("name").GetString()));
        Assert.Equal("/app", manifest.GetProperty("start_url").GetString());
        Assert.Equal("/app", manifest.GetProperty("scope").GetString());
        Assert.Equal("standalone", manifest.GetProperty("display").GetString());
        Assert.StartsWith("#", manifest.GetProperty("theme_color").GetString());
        Assert.StartsWith("#", manifest.GetProperty("background_color").GetString());
        var icons = manifest.GetProperty("icons").EnumerateArray().ToList();
        Assert.Contains(icons, i => i.GetProperty("sizes").GetString() == "192x192");
        Assert.Contains(icons, i => i.GetProperty("sizes").GetString() == "512x512");
        Assert.Contains(icons, i => i.GetProperty("purpose").GetString() == "maskable");
        foreach (var icon in icons)
        {
            using var response = await http.GetAsync(icon.GetProperty("src").GetString());
            response.EnsureSuccessStatusCode();
            Assert.Equal("image/png", response.Content.Headers.ContentType?.MediaType);
            var png = await response.Content.ReadAsByteArrayAsync();
            Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], png[..4]);
            // IHDR: width and height, big-endian, right after the signature and the chunk's length and type.
            var size = $"{BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(16))}x{BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(20))}";
            Assert.Equal(icon.GetProperty("sizes").GetString(), size);
        }

        using var worker = await http.GetAsync("/app/sw.js");
        worker.EnsureSuccessStatusCode();
        Assert.Equal("text/javascript", worker.Content.Headers.ContentType?.MediaType);
        Assert.Equal("/app", worker.Headers.GetValues("Service-Worker-Allowed").Single());
    }
}
