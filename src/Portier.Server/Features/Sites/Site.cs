using Portier.Core.Model;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using NodaTime;
using Portier.Server.Features.Audit;
using Portier.Server.Features.Geofences;
using Portier.Server.Features.Guessing;
using Portier.Server.Features.Rules;
using Portier.Server.Infrastructure.Persistence;
using Portier.Server.Features.Decisions;

namespace Portier.Server.Features.Sites;

/// <summary>One facility: its clock (IANA zone), its geofence and its facility-wide access rules.</summary>
public sealed class Site : IAudited, ISite, IPolicyDefinition
{
    public const int DefaultMinPinLength = 4;
    public const int DefaultOfflineHorizonMinutes = 24 * 60;
    public const int MinOfflineHorizonMinutes = 5;
    public const int MaxOfflineHorizonMinutes = 30 * 24 * 60;

    public Guid Id { get; init; } = SequentialIds.Next();
    public required string Name { get; set; }
    public required string TimeZone { get; set; }
    public GeofenceData Geofence { get; set; } = GeofenceData.Disabled;
    public AccessRulesData Rules { get; set; } = AccessRulesData.Empty;
    public int MinPinLength { get; set; } = DefaultMinPinLength;
    /// <summary>Accepts PINs of one repeated digit or a straight run (1111, 1234, 4321); off by default.</summary>
    public bool AllowWeakPins { get; set; }
    /// <summary>The site's own guessing limits; null (or a field left out) takes the server's defaults.</summary>
    public GuessingLimitsData? GuessingLimits { get; set; }
    /// <summary>How long a controller may keep deciding on its own without hearing from the server; past it, it refuses everyone.</summary>
    public int OfflineHorizonMinutes { get; set; } = DefaultOfflineHorizonMinutes;
    public Instant CreatedAt { get; init; }
    public Instant UpdatedAt { get; set; }
}

internal sealed class SiteConfiguration : IEntityTypeConfiguration<Site>
{
    public void Configure(EntityTypeBuilder<Site> b)
    {
        b.ToTable("sites");
        b.Property(s => s.Name).HasMaxLength(200);
        b.Property(s => s.TimeZone).HasMaxLength(64);
        b.Property(s => s.Geofence).HasJsonConversion();
        b.Property(s => s.Rules).HasJsonConversion();
        b.Property(s => s.GuessingLimits).HasJsonConversion();
        b.HasIndex(s => s.Name);
    }
}
