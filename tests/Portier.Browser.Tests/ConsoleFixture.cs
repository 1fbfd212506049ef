using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;

namespace Portier.Browser.Tests;

/// <summary>One running server with its first admin created through the setup page, and one Chromium.</summary>
public sealed class ConsoleFixture : IAsyncLifetime
{
    public ConsoleServer Server { get; } = new();
    public Browser Browser { get; private set; } = null!;
    private HttpClient? _api;

    public async ValueTask InitializeAsync()
    {
        Server.Start();
        Browser = await Browser.StartAsync();
        var page = await Browser.NewPageAsync(Server.BaseAddress);
        await ConsoleDriver.CreateFirstAdminAsync(page, Server.SetupCode());
    }

    /// <summary>A new browser signed in as the first admin.</summary>
    public async Task<IPage> AdminPageAsync()
    {
        var page = await Browser.NewPageAsync(Server.BaseAddress);
        await ConsoleDriver.SignInAsync(page);
        return page;
    }

    /// <summary>The HTTP API as the first admin, for arranging data a test does not exercise in the browser.</summary>
    public async Task<JsonElement> ApiAsync(HttpMethod method, string path, object? body = null)
    {
        _api ??= await SignedInClientAsync();
        using var request = new HttpRequestMessage(method, path) { Content = body is null ? null : JsonContent.Create(body) };
        using var response = await _api.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"{method} {path}: {(int)response.StatusCode} {text}");
        return text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone();
    }

    private async Task<HttpClient> SignedInClientAsync()
    {
        var client = new HttpClient { BaseAddress = Server.BaseAddress };
        using var login = await client.PostAsJsonAsync("/api/v1/auth/login", new { email = ConsoleDriver.AdminEmail, password = ConsoleDriver.AdminPassword });
        login.EnsureSuccessStatusCode();
        var token = (await login.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("token").GetString();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    public async ValueTask DisposeAsync()
    {
        _api?.Dispose();
        await Browser.DisposeAsync();
        await Server.DisposeAsync();
    }
}
