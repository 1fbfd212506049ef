namespace Portier.Core.Policy;

internal static partial class PolicyPatcher
{
    /// <summary>Recompiles one door into copies of the door arrays (a site has tens to thousands of doors, not people-many).</summary>
    private static PolicySnapshot? ChangeDoor(PolicySnapshot s, DoorDefinition door)
    {
        var compiler = Compiler(s);
        if (!compiler.Interned(door.RuleOverride)) return null;
        var exists = s.DoorIndex.TryGetValue(door.Id, out var d);
        if (door.FirstArrival is not null || (exists && s.DoorArrival[d] is not null)) return null;
        var fields = compiler.CompileDoor(door);
        var required = compiler.RequiredQualifications(door, fields.Scopes, id => s.Patching.QualificationIndex.GetValueOrDefault(id, -1));
        if (required.Length > 0 && required[0] < 0) return null;
        var plansActive = s.LockdownIds.Length > 0;
        if (plansActive && (!exists || fields.Site != s.DoorSite[d] || !fields.Scopes.AsSpan().SequenceEqual(s.DoorScopes[d]))) return null;

        if (!exists) return AddDoor(s, door, fields, required);
        return s with
        {
            DoorSite = Set(s.DoorSite, d, fields.Site),
            DoorZone = Set(s.DoorZone, d, fields.Zone),
            DoorScopes = Set(s.DoorScopes, d, fields.Scopes),
            DoorRules = Set(s.DoorRules, d, fields.Rules),
            DoorGeofence = Set(s.DoorGeofence, d, fields.Geofence),
            DoorHolidays = Set(s.DoorHolidays, d, fields.Holidays),
            DoorDirections = Set(s.DoorDirections, d, door.Direction),
            DoorBlocked = Set(s.DoorBlocked, d, door.BlockAllAccess),
            DoorMaintenance = Set(s.DoorMaintenance, d, door.Maintenance),
            DoorOverrides = Set(s.DoorOverrides, d, door.Override),
            DoorPointOfEntry = Set(s.DoorPointOfEntry, d, door.IsPointOfEntry),
            DoorTwoPerson = Set(s.DoorTwoPerson, d, door.TwoPersonWindow),
            DoorQualifications = Set(s.DoorQualifications, d, required),
        };
    }

    private static PolicySnapshot AddDoor(PolicySnapshot s, DoorDefinition door, PolicyCompiler.DoorFields fields, int[] required) => s with
    {
        DoorIndex = s.DoorIndex.With(door.Id, s.DoorIds.Length),
        DoorIds = [.. s.DoorIds, door.Id],
        DoorSite = [.. s.DoorSite, fields.Site],
        DoorZone = [.. s.DoorZone, fields.Zone],
        DoorScopes = [.. s.DoorScopes, fields.Scopes],
        DoorRules = [.. s.DoorRules, fields.Rules],
        DoorGeofence = [.. s.DoorGeofence, fields.Geofence],
        DoorHolidays = [.. s.DoorHolidays, fields.Holidays],
        DoorDirections = [.. s.DoorDirections, door.Direction],
        DoorBlocked = [.. s.DoorBlocked, door.BlockAllAccess],
        DoorMaintenance = [.. s.DoorMaintenance, door.Maintenance],
        DoorOverrides = [.. s.DoorOverrides, door.Override],
        DoorPointOfEntry = [.. s.DoorPointOfEntry, door.IsPointOfEntry],
        DoorTwoPerson = [.. s.DoorTwoPerson, door.TwoPersonWindow],
        DoorQualifications = [.. s.DoorQualifications, required],
        DoorLockdown = [.. s.DoorLockdown, -1],
        DoorArrival = [.. s.DoorArrival, null],
        DoorArrivalTypes = [.. s.DoorArrivalTypes, null],
        DoorArrivalTags = [.. s.DoorArrivalTags, null],
        DoorArrivalPeople = [.. s.DoorArrivalPeople, null],
    };
}
