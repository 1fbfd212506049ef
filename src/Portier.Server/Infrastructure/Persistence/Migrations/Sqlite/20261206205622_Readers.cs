using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Portier.Server.Infrastructure.Persistence.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class Readers : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<Guid>(
                name: "DoorId",
                table: "device_commands",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "ReaderId",
                table: "access_events",
                type: "TEXT",
                maxLength: 64,
                nullable: true);

            migrationBuilder.CreateTable(
                name: "readers",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    SiteId = table.Column<Guid>(type: "TEXT", nullable: false),
                    DeviceId = table.Column<Guid>(type: "TEXT", nullable: false),
                    ReaderId = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    DoorId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Kind = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    Direction = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    CreatedAt = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_readers", x => x.Id);
                    table.ForeignKey(
                        name: "FK_readers_devices_DeviceId",
                        column: x => x.DeviceId,
                        principalTable: "devices",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "FK_readers_doors_DoorId",
                        column: x => x.DoorId,
                        principalTable: "doors",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_readers_DeviceId_ReaderId",
                table: "readers",
                columns: new[] { "DeviceId", "ReaderId" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_readers_DoorId",
                table: "readers",
                column: "DoorId");

            migrationBuilder.CreateIndex(
                name: "IX_readers_SiteId",
                table: "readers",
                column: "SiteId");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "readers");

            migrationBuilder.DropColumn(
                name: "DoorId",
                table: "device_commands");

            migrationBuilder.DropColumn(
                name: "ReaderId",
                table: "access_events");
        }
    }
}
