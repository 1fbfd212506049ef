using MudBlazor.Services;
using Portier.Server.Components.Api;

namespace Portier.Server.Components;

public static class ConsoleExtensions
{
    /// <summary>The admin console (/console) and the member app (/app), both Blazor components of this server.</summary>
    public static WebApplicationBuilder AddPortierConsole(this WebApplicationBuilder builder)
    {
        // Serves MudBlazor's files from the package when running from a build in any environment
        // (a published app has them in wwwroot, where this is a no-op).
        builder.WebHost.UseStaticWebAssets();
        var services = builder.Services;
        services.AddRazorComponents().AddInteractiveServerComponents();
        services.AddCascadingAuthenticationState();
        services.AddMudServices();
        services.AddScoped<ConsoleState>();
        services.AddSingleton<InProcessPipeline>();
        services.AddSingleton<IStartupFilter, InProcessPipeline.Capture>();
        services.AddHttpClient<ConsoleApi>(client => client.BaseAddress = InProcessHandler.BaseAddress)
            .ConfigurePrimaryHttpMessageHandler(provider => new InProcessHandler(provider.GetRequiredService<InProcessPipeline>()));
        return builder;
    }

    public static WebApplication MapPortierConsole(this WebApplication app)
    {
        app.MapStaticAssets();
        app.MapGet("/", () => Results.Redirect("/console")).ExcludeFromDescription();
        app.MapConsoleDownloads();
        app.MapRazorComponents<App>().AddInteractiveServerRenderMode();
        return app;
    }
}
