namespace Portier.Server.Components.Shared;

/// <summary>Dates picked in a form (validity windows of grants and credentials).</summary>
public static class PickedDate
{
    /// <summary>A picked date is midnight UTC of that day; no date is no bound.</summary>
    public static DateTimeOffset? AsUtcMidnight(DateTime? date) => date is { } d ? new DateTimeOffset(DateTime.SpecifyKind(d.Date, DateTimeKind.Utc)) : null;
}
