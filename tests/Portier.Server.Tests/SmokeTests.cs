namespace Portier.Server.Tests;
public class SmokeTests { [Fact] public void Program_Type_Exists() => Assert.NotNull(typeof(Program)); }
