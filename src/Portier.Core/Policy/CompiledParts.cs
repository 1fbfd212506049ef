namespace Portier.Core.Policy;

/// <summary>A rule set with its type/status pairs and tags as bit sets over the snapshot's interned values.</summary>
internal sealed class CompiledRuleSet(CompiledHours hours, ulong[] typeStatusPairs, ulong[] tags, bool holidaysApply)
{
    /// <summary>Whether the site's calendar days close or re-time this rule path.</summary>
    public bool HolidaysApply { get; } = holidaysApply;

    public CompiledHours Hours { get; } = hours;

    /// <summary>Bit (type × statusCount + status) is set when that combination matches a person-type rule.</summary>
    public ulong[] TypeStatusPairs { get; } = typeStatusPairs;

    public ulong[] Tags { get; } = tags;
}

/// <summary>An enabled geofence; a disabled one compiles to null.</summary>
internal sealed class CompiledGeofence(double latitude, double longitude, double radius, double requiredAccuracy, double buffer)
{
    public double Latitude { get; } = latitude;
    public double Longitude { get; } = longitude;
    public double RadiusMeters { get; } = radius;
    public double RequiredAccuracyMeters { get; } = requiredAccuracy;
    public double BufferMeters { get; } = buffer;
}

/// <summary>Lookup key of a credential: its kind and exact value.</summary>
/// <summary>Site is the owning person's site index, or -1 for a person valid at every site.</summary>
internal readonly record struct CredentialKey(int Site, Model.CredentialKind Kind, string Value);
