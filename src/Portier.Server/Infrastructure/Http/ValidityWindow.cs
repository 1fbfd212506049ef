using NodaTime;

namespace Portier.Server.Infrastructure.Http;

/// <summary>Validity windows as the API carries them (offsets) and as the database keeps them (instants).</summary>
public static class ValidityWindow
{
    /// <summary>A window is [from, until): when both are given, until must be after from.</summary>
    public static void Validate(DateTimeOffset? from, DateTimeOffset? until, ValidationErrors errors, string untilField = "validUntil") =>
        errors.Require(from is null || until is null || until > from, untilField, "Must be after validFrom.");

    public static Instant? ToInstant(DateTimeOffset? value) => value is { } v ? Instant.FromDateTimeOffset(v) : null;

    public static DateTimeOffset? ToOffset(Instant? value) => value?.ToDateTimeOffset();
}
