using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Portier.Server.Components.Layout;

namespace Portier.Browser.Tests;

/// <summary>
/// Every console area in the menu, a site's, a door's and a person's page, the sign-in page and the
/// member app, at desktop and phone width: each renders its heading without an error, and is captured
/// (screenshots/tour/, an index.tsv beside them; <c>scripts/screenshots.sh</c> copies them into docs/).
/// </summary>
public sealed class PageTourTests(ConsoleFixture fixture) : IClassFixture<ConsoleFixture>
{
    private static readonly (string Name, int Width, int Height)[] Widths = [("desktop", 1400, 900), ("phone", 390, 844)];

    [Fact]
    public async Task EveryPage_RendersWithoutAnError_AtDesktopAndPhoneWidth()
    {
        var pages = await ArrangeAsync();
        var folder = Path.Combine(AppContext.BaseDirectory, "screenshots", "tour");
        Directory.CreateDirectory(folder);
        var index = new List<string>();
        var page = await fixture.AdminPageAsync();
        var anonymous = await fixture.Browser.NewPageAsync(fixture.Server.BaseAddress);
        // A page that throws while rendering ends its circuit, and Blazor says so in the browser's console.
        var errors = new List<string>();
        foreach (var tab in new[] { page, anonymous })
            tab.Console += (_, message) =>
            {
                if (message.Type == "error" && !message.Text.StartsWith("Failed to load resource", StringComparison.Ordinal))
                    lock (errors) errors.Add($"{tab.Url}: {message.Text}");
            };

        foreach (var (width, w, h) in Widths)
        {
            await page.SetViewportSizeAsync(w, h);
            await anonymous.SetViewportSizeAsync(w, h);
            foreach (var (title, path, signedIn) in pages)
            {
                var tab = signedIn ? page : anonymous;
                await tab.GotoAsync(path);
                await Assertions.Expect(tab.Locator("h1").First).ToBeVisibleAsync();
                Assert.DoesNotContain("/console/denied", tab.Url, StringComparison.Ordinal);
                await tab.WaitForTimeoutAsync(250);
                lock (errors) Assert.True(errors.Count == 0, $"{path} at {width} width: {string.Join('\n', errors)}");
                var file = $"{width}/{Slug(title)}.jpg";
                Directory.CreateDirectory(Path.Combine(folder, width));
                await tab.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(folder, file), Type = ScreenshotType.Jpeg, Quality = 70 });
                index.Add(string.Join('\t', width, title, path, file));
            }
        }
        await File.WriteAllLinesAsync(Path.Combine(folder, "index.tsv"), index, TestContext.Current.CancellationToken);
        Assert.Equal(pages.Count * Widths.Length, index.Count);
    }

    /// <summary>A site with rules, a zone, two doors, a person with a card and a grant, so the pages show content.</summary>
    private async Task<List<(string Title, string Path, bool SignedIn)>> ArrangeAsync()
    {
        var site = (await fixture.ApiAsync(HttpMethod.Post, "/api/v1/sites", new
        {
            name = "Harbour Climbing", timeZone = "Europe/Berlin",
            rules = new { personTypeRules = new[] { new { personType = "Member", statuses = new[] { "Active" } } } },
        })).GetProperty("id").GetGuid();
        var zone = (await fixture.ApiAsync(HttpMethod.Post, "/api/v1/zones", new { siteId = site, name = "Bouldering hall", capacity = 80 })).GetProperty("id").GetGuid();
        var door = (await fixture.ApiAsync(HttpMethod.Post, "/api/v1/doors", new { siteId = site, name = "Front door", zoneId = zone })).GetProperty("id").GetGuid();
        await fixture.ApiAsync(HttpMethod.Post, "/api/v1/doors", new { siteId = site, name = "Staff room" });
        var person = (await fixture.ApiAsync(HttpMethod.Post, "/api/v1/people", new { siteId = site, name = "Ada Lovelace", personType = "Member", membershipStatus = "Active" })).GetProperty("id").GetGuid();
        await fixture.ApiAsync(HttpMethod.Post, "/api/v1/credentials", new { personId = person, kind = "card", value = "04A1B2C3" });
        await fixture.ApiAsync(HttpMethod.Post, "/api/v1/grants", new { personId = person, siteWide = true });

        List<(string, string, bool)> pages = [("Sign in", "/console/sign-in", false), ("Member app on a phone", "/app", false)];
        pages.AddRange(ConsoleAreas.All.Select(a => (a.Title, a.Href, true)));
        pages.Add(("A site's rules", $"/console/sites/{site}", true));
        pages.Add(("A door", $"/console/doors/{door}", true));
        pages.Add(("A person", $"/console/people/{person}", true));
        return pages;
    }

    private static string Slug(string title) =>
        Regex.Replace(title.ToLower(CultureInfo.InvariantCulture), "[^a-z0-9]+", "-").Trim('-');
}
