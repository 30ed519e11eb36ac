package timetable

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/cartable-ent/cartable/tenant"
)

// demoPeriods are a lycée's usual day: four morning and four afternoon periods of 55 minutes
// with a break at 9:50 and at 15:20.
var demoPeriods = ProfileForm{
	Codes:       []string{"M1", "M2", "M3", "M4", "S1", "S2", "S3", "S4"},
	Starts:      []string{"08:00", "08:55", "10:05", "11:00", "13:30", "14:25", "15:35", "16:30"},
	Ends:        []string{"08:55", "09:50", "11:00", "11:55", "14:25", "15:20", "16:30", "17:25"},
	MorningEnds: "12:30",
}

// demoPairs are the two-period blocks a demo lesson takes (M1–M2, M3–M4, S1–S2, S3–S4).
var demoPairs = [][2]string{{"M1", "M2"}, {"M3", "M4"}, {"S1", "S2"}, {"S3", "S4"}}

// SeedDemo gives a demo establishment its day profile and a plausible week: every teaching
// of the directory (teacher × class or group × subject) gets a two-hour lesson every week and
// a one-hour lesson in week A, at times where neither the class, the teacher nor the room is
// busy; then the autumn and Christmas holidays; then, in the current week, one lesson cancelled, one moved and one taught
// by a replacement. Everything goes through the service, as a direction would enter it.
func (s *Service) SeedDemo(ctx context.Context, t *tenant.Tenant) error {
	if _, err := s.SaveProfile(ctx, t, demoPeriods); err != nil {
		return err
	}
	var teachings []struct {
		TeacherID, ClassID uuid.UUID
		SubjectCode        string
	}
	if err := s.db.ReadTx(ctx, t, func(tx *gorm.DB) error {
		return tx.Raw(`SELECT t.teacher_id, t.class_id, t.subject_code FROM teachings t JOIN classes c ON c.id = t.class_id
			JOIN school_years y ON y.code = c.school_year AND y.current JOIN people p ON p.id = t.teacher_id AND p.active
			ORDER BY c.code, t.subject_code, p.last_name`).Scan(&teachings).Error
	}); err != nil {
		return fmt.Errorf("timetable: demo teachings: %w", err)
	}
	busy := map[string]bool{} // "<teacher, class or room>/<weekday>/<block>"
	free := func(day, block int, keys ...string) bool {
		for _, k := range keys {
			if busy[fmt.Sprint(k, "/", day, "/", block)] {
				return false
			}
		}
		return true
	}
	take := func(day, block int, keys ...string) {
		for _, k := range keys {
			busy[fmt.Sprint(k, "/", day, "/", block)] = true
		}
	}
	var made []uuid.UUID
	for i, te := range teachings {
		room := fmt.Sprintf("%c%d", 'A'+i%4, 101+i%12)
		placed := 0
		for n := 0; n < 6*4 && placed < 2; n++ {
			day, block := 1+(i+n)%5, (i/5+n)%4
			if placed == 1 { // the week-A hour: afternoons, on Wednesdays too
				block = 2 + n%2
			}
			if !free(day, block, te.TeacherID.String(), te.ClassID.String(), room) {
				continue
			}
			f := SlotForm{ClassID: te.ClassID.String(), Subject: te.SubjectCode, Teachers: []string{te.TeacherID.String()}, Room: room,
				Weekday: fmt.Sprint(day), Start: demoPairs[block][0], End: demoPairs[block][1]}
			if placed == 1 {
				f.End, f.Weeks = demoPairs[block][0], string(WeekA)
			}
			sl, err := s.SaveSlot(ctx, t, uuid.Nil, f)
			var errs FormErrors
			if errors.As(err, &errs) && errs["creneau"] != "" {
				continue // a class and a group sharing pupils: the service knows, busy does not
			}
			if err != nil {
				return fmt.Errorf("timetable: demo slot: %w", err)
			}
			take(day, block, te.TeacherID.String(), te.ClassID.String(), room)
			made = append(made, sl.ID)
			placed++
		}
	}
	if err := s.demoHolidays(ctx, t); err != nil {
		return err
	}
	return s.demoExceptions(ctx, t, made)
}

// demoHolidays enters the autumn and Christmas holidays where the national calendar puts
// them (from the Saturday ending the 7th and the 16th week of the year to the Sunday before
// school resumes, two weeks later): demo dates, not the official ones, which direction
// enters from education.gouv.fr.
func (s *Service) demoHolidays(ctx context.Context, t *tenant.Tenant) error {
	if hs, err := s.Holidays(ctx, t); err != nil || len(hs) > 0 {
		return err // entered by a run of the demo that stopped later
	}
	var start time.Time
	if err := s.read(ctx, t, func(st store) error {
		var err error
		_, start, _, err = st.yearBounds()
		return err
	}); err != nil {
		return err
	}
	for _, h := range []struct {
		label string
		week  int
	}{{"Vacances de la Toussaint", 7}, {"Vacances de Noël", 16}} {
		from := Monday(start).AddDate(0, 0, 7*h.week-2)
		if _, err := s.AddHoliday(ctx, t, HolidayForm{Label: h.label, From: from.Format(dateLayout), To: from.AddDate(0, 0, 15).Format(dateLayout)}); err != nil {
			return fmt.Errorf("timetable: demo holidays: %w", err)
		}
	}
	return nil
}

// demoExceptions cancels, moves and replaces one lesson each in the current week.
func (s *Service) demoExceptions(ctx context.Context, t *tenant.Tenant, slots []uuid.UUID) error {
	monday := Monday(s.Today())
	lessons, err := s.lessonsOfSlots(ctx, t, slots, monday, monday.AddDate(0, 0, 4))
	if err != nil || len(lessons) < 3 {
		return err
	}
	var teachers []uuid.UUID
	for _, l := range lessons {
		for _, p := range l.Teachers {
			if !slices.Contains(teachers, p.ID) {
				teachers = append(teachers, p.ID)
			}
		}
	}
	first, second, third := lessons[0], lessons[len(lessons)/2], lessons[len(lessons)-1]
	forms := []struct {
		slot uuid.UUID
		f    ExceptionForm
	}{
		{first.SlotID, ExceptionForm{Date: first.Date.Format(dateLayout), Kind: string(Cancelled), Note: "Professeur en formation"}},
		{second.SlotID, ExceptionForm{Date: second.Date.Format(dateLayout), Kind: string(Moved), NewRoom: "CDI", Note: "Salle indisponible"}},
	}
	for _, id := range teachers {
		if !third.HasTeacher(id) {
			forms = append(forms, struct {
				slot uuid.UUID
				f    ExceptionForm
			}{third.SlotID, ExceptionForm{Date: third.Date.Format(dateLayout), Kind: string(Replaced), Replacement: id.String()}})
			break
		}
	}
	for _, e := range forms {
		if err := s.SaveException(ctx, t, e.slot, e.f); err != nil {
			return fmt.Errorf("timetable: demo exception: %w", err)
		}
	}
	return nil
}

// lessonsOfSlots expands the given slots only.
func (s *Service) lessonsOfSlots(ctx context.Context, t *tenant.Tenant, ids []uuid.UUID, from, to time.Time) ([]Lesson, error) {
	var out []Lesson
	err := s.read(ctx, t, func(st store) error {
		all, err := st.lessons(filter{all: true}, from, to)
		out = slices.DeleteFunc(all, func(l Lesson) bool { return !slices.Contains(ids, l.SlotID) })
		return err
	})
	return out, err
}
