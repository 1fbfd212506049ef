using Portier.Server.Infrastructure.Persistence;

namespace Portier.Server.Features.Guessing;

public static class GuessingExtensions
{
    /// <summary>The guessing limits the access pipeline applies, their per-site settings and their housekeeping.</summary>
    public static IServiceCollection AddPortierGuessingLimits(this IServiceCollection services)
    {
        services.AddOptions<GuessingOptions>().BindConfiguration(GuessingOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<SiteGuessingLimits>();
        services.AddSingleton<IDefinitionCache>(sp => sp.GetRequiredService<SiteGuessingLimits>());
        services.AddSingleton<SharedGuessCounters>();
        services.AddSingleton<GuessingLimiter>();
        services.AddHostedService<GuessingSweeper>();
        return services;
    }
}
