using System.ComponentModel.DataAnnotations;
using NodaTime;
using Portier.Core.Guessing;
using Portier.Server.Infrastructure.Http;

namespace Portier.Server.Features.Guessing;

/// <summary>
/// The guessing limits of every site that does not set its own (<see cref="GuessingLimitsData"/>).
/// The ranges here are the ranges a site may set, too.
/// </summary>
public sealed class GuessingOptions
{
    public const string Section = "Access:Guessing";

    /// <summary>The longest quiet time a site may set before its counters start over (a week).</summary>
    public const int MaxForgetAfterSeconds = 604_800;

    /// <summary>Invalid credentials at one reader (a door's controller or a gate) before it backs off.</summary>
    [Range(1, 10_000)]
    public int ReaderFailures { get; set; } = 5;

    /// <summary>Invalid credentials across all readers of a site before every reader of the site backs off.</summary>
    [Range(1, 100_000)]
    public int SiteFailures { get; set; } = 50;

    /// <summary>Failures of one PIN or code value across a site's readers before that value backs off; below 100 (NIST SP 800-63B).</summary>
    [Range(1, 99)]
    public int PinFailures { get; set; } = 10;

    /// <summary>The first back-off; each further one doubles, up to <see cref="MaxLockSeconds"/>.</summary>
    [Range(1, 86_400)]
    public int FirstLockSeconds { get; set; } = 30;

    [Range(1, 86_400)]
    public int MaxLockSeconds { get; set; } = 900;

    /// <summary>A counter quiet this long (after its last failure or its last back-off) starts over.</summary>
    [Range(1, MaxForgetAfterSeconds)]
    public int ForgetAfterSeconds { get; set; } = 900;

    /// <summary>Invalid or refused credentials at one reader within <see cref="BurstSeconds"/> that raise an alarm.</summary>
    [Range(1, 100_000)]
    public int BurstAttempts { get; set; } = 10;

    [Range(1, 86_400)]
    public int BurstSeconds { get; set; } = 60;
}

/// <summary>
/// A site's own guessing limits. Each field left out (null) takes its value from
/// <see cref="GuessingOptions"/>; the ranges are the same.
/// </summary>
public sealed record GuessingLimitsData(
    int? ReaderFailures = null,
    int? SiteFailures = null,
    int? PinFailures = null,
    int? FirstLockSeconds = null,
    int? MaxLockSeconds = null,
    int? ForgetAfterSeconds = null,
    int? BurstAttempts = null,
    int? BurstSeconds = null)
{
    public static void Validate(GuessingLimitsData? limits, string field, ValidationErrors errors)
    {
        if (limits is null) return;
        foreach (var (name, value) in limits.Fields())
        {
            if (value is not { } set) continue;
            var range = typeof(GuessingOptions).GetProperty(name)!.GetCustomAttributes(typeof(RangeAttribute), false).Cast<RangeAttribute>().Single();
            errors.Range(set, Convert.ToDouble(range.Minimum, System.Globalization.CultureInfo.InvariantCulture),
                Convert.ToDouble(range.Maximum, System.Globalization.CultureInfo.InvariantCulture), $"{field}.{char.ToLowerInvariant(name[0])}{name[1..]}");
        }
        if ((limits.FirstLockSeconds, limits.MaxLockSeconds) is ({ } first, { } max) && first > max)
            errors.Add($"{field}.maxLockSeconds", "Must be at least firstLockSeconds.");
    }

    /// <summary>The limits in force at the site: its own values over the defaults.</summary>
    public GuessingLimits Resolve(GuessingOptions defaults)
    {
        var first = Duration.FromSeconds(FirstLockSeconds ?? defaults.FirstLockSeconds);
        var max = Duration.FromSeconds(Math.Max(MaxLockSeconds ?? defaults.MaxLockSeconds, FirstLockSeconds ?? defaults.FirstLockSeconds));
        var forget = Duration.FromSeconds(ForgetAfterSeconds ?? defaults.ForgetAfterSeconds);
        GuessLimit Limit(int failures) => new(failures, first, max, forget);
        return new GuessingLimits(
            Limit(ReaderFailures ?? defaults.ReaderFailures),
            Limit(SiteFailures ?? defaults.SiteFailures),
            Limit(PinFailures ?? defaults.PinFailures),
            BurstAttempts ?? defaults.BurstAttempts,
            Duration.FromSeconds(BurstSeconds ?? defaults.BurstSeconds));
    }

    private IEnumerable<(string Name, int? Value)> Fields() =>
    [
        (nameof(ReaderFailures), ReaderFailures), (nameof(SiteFailures), SiteFailures), (nameof(PinFailures), PinFailures),
        (nameof(FirstLockSeconds), FirstLockSeconds), (nameof(MaxLockSeconds), MaxLockSeconds), (nameof(ForgetAfterSeconds), ForgetAfterSeconds),
        (nameof(BurstAttempts), BurstAttempts), (nameof(BurstSeconds), BurstSeconds),
    ];
}
