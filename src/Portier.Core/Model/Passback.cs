namespace Portier.Core.Model;

/// <summary>
/// A zone's anti-passback: <see cref="Off"/>; <see cref="Hard"/> refuses a second entry without an exit;
/// <see cref="Soft"/> allows it and records a violation; <see cref="Timed"/> refuses re-entry for a set
/// number of minutes after an entry, whatever happened in between.
/// </summary>
public enum PassbackMode { Off, Hard, Soft, Timed }

/// <summary>
/// A zone's anti-passback rule. <see cref="Minutes"/> is the re-entry lock of <see cref="PassbackMode.Timed"/>
/// (<see cref="MinMinutes"/>–<see cref="MaxMinutes"/>, inclusive) and 0 for every other mode.
/// The default is <see cref="PassbackMode.Off"/>.
/// </summary>
public readonly record struct PassbackRule
{
    public const int MinMinutes = 1;
    public const int MaxMinutes = 1440;

    public PassbackRule(PassbackMode mode, int minutes = 0)
    {
        if (mode == PassbackMode.Timed && minutes is < MinMinutes or > MaxMinutes)
            throw new ArgumentOutOfRangeException(nameof(minutes), minutes, $"Timed anti-passback needs {MinMinutes}–{MaxMinutes} minutes.");
        Mode = mode;
        Minutes = mode == PassbackMode.Timed ? minutes : 0;
    }

    public PassbackMode Mode { get; }
    public int Minutes { get; }

    public static PassbackRule Off => default;
}
