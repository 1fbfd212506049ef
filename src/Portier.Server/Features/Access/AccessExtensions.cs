using Portier.Server.Features.Devices;

namespace Portier.Server.Features.Access;

public static class AccessExtensions
{
    /// <summary>The pipeline, its reservations in the order they are taken, and the reader's scan handler.</summary>
    public static IServiceCollection AddPortierAccessPipeline(this IServiceCollection services)
    {
        services.AddScoped<AccessPipeline>();
        services.AddScoped<IAttemptReservation, CredentialUseReservation>();
        services.AddScoped<IAttemptReservation, ZonePlaceReservation>();
        services.AddScoped<IScanHandler, ReaderScanHandler>();
        return services;
    }
}
