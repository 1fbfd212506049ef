using Microsoft.Playwright;

namespace Portier.Browser.Tests;

/// <summary>
/// Debian's Chromium driven by Playwright through its executable path (no browser download), headless,
/// with a fresh profile per context. Pages are bounded by short timeouts so a broken page fails fast.
/// </summary>
public sealed class Browser : IAsyncDisposable
{
    public const string ChromiumPath = "/usr/bin/chromium";

    private static readonly string[] Arguments =
    [
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
    ];

    private readonly IPlaywright _playwright;
    private readonly List<(IBrowserContext Context, string Profile)> _contexts = [];

    private Browser(IPlaywright playwright) => _playwright = playwright;

    public static async Task<Browser> StartAsync() => new(await Playwright.CreateAsync());

    /// <summary>
    /// A new browser with its own empty profile: desktop size, or a phone's when asked; with a
    /// location, the page may read it (geolocation permission granted).
    /// </summary>
    public async Task<IPage> NewPageAsync(Uri baseAddress, bool phone = false, Geolocation? location = null)
    {
        var profile = Directory.CreateTempSubdirectory("portier-chromium-").FullName;
        var context = await _playwright.Chromium.LaunchPersistentContextAsync(profile, new BrowserTypeLaunchPersistentContextOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args = Arguments,
            BaseURL = baseAddress.ToString(),
            ViewportSize = phone ? new ViewportSize { Width = 390, Height = 844 } : new ViewportSize { Width = 1400, Height = 900 },
            IsMobile = phone,
            HasTouch = phone,
            Geolocation = location,
            Permissions = location is null ? null : ["geolocation"],
            Timeout = 30_000,
        });
        // Generous waits: CI runs the server, the database and Chromium on two cores.
        context.SetDefaultTimeout(20_000);
        context.SetDefaultNavigationTimeout(60_000);
        Assertions.SetDefaultExpectTimeout(15_000);
        _contexts.Add((context, profile));
        return context.Pages.Count > 0 ? context.Pages[0] : await context.NewPageAsync();
    }

    /// <summary>A full-page screenshot under the test output folder (screenshots/NAME.png).</summary>
    public static async Task ScreenshotAsync(IPage page, string name)
    {
        var folder = Path.Combine(AppContext.BaseDirectory, "screenshots");
        Directory.CreateDirectory(folder);
        await page.EvaluateAsync("() => window.scrollTo(0, 0)");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(folder, name + ".png"), FullPage = true });
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var (context, profile) in _contexts)
        {
            await context.CloseAsync();
            try { Directory.Delete(profile, recursive: true); }
            catch (IOException) { /* Chromium may still hold a lock file for a moment */ }
        }
        _playwright.Dispose();
    }
}
