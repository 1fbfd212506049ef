namespace Portier.Server.Features.DoorStates;

public static class DoorStatesRoutes
{
    public const string Group = "door-states";
}
