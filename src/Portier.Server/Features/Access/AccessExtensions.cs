using Portier.Server.Features.Devices;
using Portier.Server.Features.Guessing;
using Portier.Server.Features.Passback;
using Portier.Server.Features.TwoPerson;

namespace Portier.Server.Features.Access;

public static class AccessExtensions
{
    /// <summary>The pipeline, its guessing limits, its reservations in the order they are taken, the reader's scan handler, and the settling of attempts left pending.</summary>
    public static IServiceCollection AddPortierAccessPipeline(this IServiceCollection services)
    {
        services.AddPortierGuessingLimits();
        services.AddScoped<AccessPipeline>();
        services.AddScoped<IAttemptReservation, CredentialUseReservation>();
        services.AddScoped<IAttemptReservation, PassbackReservation>();
        services.AddScoped<IAttemptReservation, ZonePlaceReservation>();
        services.AddSingleton<TwoPersonWaits>();
        services.AddScoped<IAttemptReservation, TwoPersonReservation>();
        services.AddScoped<IScanHandler, ReaderScanHandler>();
        services.AddHostedService<PendingAttemptSettler>();
        return services;
    }
}
