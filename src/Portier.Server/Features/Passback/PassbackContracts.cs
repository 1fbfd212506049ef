using NodaTime;
using NodaTime.Text;
using Portier.Core.Decisions;
using Portier.Core.Model;
using Portier.Server.Features.Zones;
using Portier.Server.Infrastructure.Http;

namespace Portier.Server.Features.Passback;

/// <summary>
/// A zone's anti-passback: <c>off</c>, <c>hard</c>, <c>soft</c> or <c>timed</c> (with <see cref="Minutes"/>,
/// 1–1440), and optionally a nightly forgiveness at <see cref="ForgiveAt"/> ("HH:mm", the site's local time).
/// </summary>
public sealed record PassbackSettingsRequest(PassbackMode Mode, int? Minutes = null, string? ForgiveAt = null) : IValidatable
{
    public static readonly LocalTimePattern TimePattern = LocalTimePattern.CreateWithInvariantCulture("HH:mm");

    /// <summary>A stored nightly time, as the request validated it.</summary>
    public static LocalTime ParseTime(string text) => TimePattern.Parse(text).Value;

    public void Validate(ValidationErrors errors)
    {
        if (Mode == PassbackMode.Timed)
        {
            errors.Require(Minutes is not null, "minutes", "Timed anti-passback needs the minutes before re-entry.");
            if (Minutes is { } minutes) errors.Range(minutes, PassbackRule.MinMinutes, PassbackRule.MaxMinutes, "minutes");
        }
        else
        {
            errors.Require(Minutes is null, "minutes", "Only timed anti-passback has minutes.");
        }
        if (ForgiveAt is not null) errors.Require(TimePattern.Parse(ForgiveAt).Success, "forgiveAt", "Must be a time of day as HH:mm (00:00–23:59).");
    }

    public void ApplyTo(Zone zone, Instant now)
    {
        // Stored as given once validated, "HH:mm", so the audit trail shows it as the operator wrote it.
        var forgiveAt = ForgiveAt is null ? null : TimePattern.Format(TimePattern.Parse(ForgiveAt).Value);
        // A new nightly time starts with its next occurrence, not with the one that has already passed today.
        if (forgiveAt != zone.PassbackForgiveAt) zone.PassbackForgivenThrough = forgiveAt is null ? null : now;
        zone.Passback = Mode;
        zone.PassbackMinutes = Mode == PassbackMode.Timed ? Minutes : null;
        zone.PassbackForgiveAt = forgiveAt;
    }
}

public sealed record PassbackSettingsResponse(PassbackMode Mode, int? Minutes, string? ForgiveAt)
{
    public static PassbackSettingsResponse From(Zone z) =>
        new(z.Passback, z.PassbackMinutes, z.PassbackForgiveAt);
}

/// <summary>Forgive one person (<see cref="PersonId"/>) or, without one, everyone in the zone.</summary>
public sealed record ForgiveRequest(Guid? PersonId = null);

public sealed record ForgivenessResponse(Guid Id, Guid ZoneId, Guid? PersonId, DateTimeOffset At, bool Nightly, int Forgiven)
{
    public static ForgivenessResponse From(PassbackForgiveness f) => new(f.Id, f.ZoneId, f.PersonId, f.At.ToDateTimeOffset(), f.Nightly, f.Forgiven);
}

/// <summary>A person's presence in a zone: <c>inside</c>, <c>outside</c> or <c>unknown</c> (never seen, or forgiven).</summary>
public sealed record PresenceResponse(Guid PersonId, string? PersonName, PresenceState State, DateTimeOffset? LastPassAt, string? LastDirection, DateTimeOffset? LastEntryAt);
