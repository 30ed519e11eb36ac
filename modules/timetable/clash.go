package timetable

import (
	"fmt"
	"time"

	"github.com/google/uuid"
)

// A slot may not be held at the same time as another one (same weekday, times that overlap,
// weeks that can coincide: every week against A or B, A against A; date ranges that meet)
// of the same class or group, of a class and a group that share pupils (a class's lesson
// and its Spanish group's; two groups of one class may be at the same time: they are its
// halves or its options), of a shared teacher, or in the same room. The form and the CSV
// import refuse such a slot, naming the other lesson. Exceptions (a lesson moved once) are
// not checked: they are decided one date at a time.

// pupilLinks are the pairs {class, group} of the year that share at least one pupil: a group
// is "of" the classes its pupils are in (the directory does not say otherwise). A group with
// no pupil yet clashes with no class.
type pupilLinks map[[2]uuid.UUID]bool

// pupilLinks reads which classes and groups of the current year share pupils.
func (st store) pupilLinks() (pupilLinks, error) {
	var rows []struct{ Class, Grp uuid.UUID }
	if err := st.tx.Raw(`SELECT DISTINCT a.class_id AS class, b.class_id AS grp
		FROM class_members a JOIN class_members b ON b.person_id = a.person_id AND b.class_id <> a.class_id
		JOIN classes ca ON ca.id = a.class_id AND ca.kind = 'classe'
		JOIN classes cb ON cb.id = b.class_id AND cb.kind = 'groupe' AND cb.school_year = ca.school_year
		JOIN school_years y ON y.code = ca.school_year AND y.current`).Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("timetable: classes and groups sharing pupils: %w", err)
	}
	ln := make(pupilLinks, len(rows))
	for _, r := range rows {
		ln[[2]uuid.UUID{r.Class, r.Grp}] = true
	}
	return ln, nil
}

// linked tells whether a and b are a class and a group sharing pupils.
func (ln pupilLinks) linked(a, b Group) bool {
	switch {
	case a.Kind == "classe" && b.Kind == "groupe":
		return ln[[2]uuid.UUID{a.ID, b.ID}]
	case a.Kind == "groupe" && b.Kind == "classe":
		return ln[[2]uuid.UUID{b.ID, a.ID}]
	}
	return false
}

// clash says in French why sl cannot be held with other, naming other: « Le mardi
// 10h00–11h00, M. Martin Paul a déjà Mathématiques en 2nde 3 (semaine A) »; "" when both can.
func (r *refs) clash(sl, other Slot, ln pupilLinks) string {
	if !meet(sl, other) {
		return ""
	}
	var what string
	p, teacher := sharedTeacher(sl, other)
	switch {
	case sl.Group.ID == other.Group.ID:
		what = fmt.Sprintf("%s a déjà %s", other.Group.Label, other.Subject.Label)
	case ln.linked(sl.Group, other.Group):
		what = fmt.Sprintf("des élèves de %s ont déjà %s en %s", sl.Group.Label, other.Subject.Label, other.Group.Label)
	case teacher:
		what = fmt.Sprintf("%s a déjà %s en %s", p.Name, other.Subject.Label, other.Group.Label)
	case sameRoom(sl.Room, other.Room):
		what = fmt.Sprintf("la salle %s est déjà prise (%s en %s)", other.Room, other.Subject.Label, other.Group.Label)
	default:
		return ""
	}
	return fmt.Sprintf("Le %s %s–%s, %s (%s)", weekdayName(other.Weekday), other.Start.French(), other.End.French(), what, r.weeksOf(other))
}

// weeksOf is when a slot is held, as a clash names it: "semaine A", with its dates when they
// are not the whole school year's.
func (r *refs) weeksOf(s Slot) string {
	w := s.Weeks.Label()
	if !s.From.Equal(r.yearStart) || !s.Until.Equal(r.yearEnd) {
		w += ", du " + frDate(s.From) + " au " + frDate(s.Until)
	}
	return w
}

// firstClash is why sl cannot be held with one of others (those of its weekday), "" if it can.
func (r *refs) firstClash(sl Slot, others []Slot, ln pupilLinks) (Slot, string) {
	for _, o := range others {
		if o.ID == sl.ID {
			continue
		}
		if msg := r.clash(sl, o, ln); msg != "" {
			return o, msg
		}
	}
	return Slot{}, ""
}

// byWeekday groups slots by their weekday, for the clash checks.
func byWeekday(slots []Slot) map[time.Weekday][]Slot {
	out := map[time.Weekday][]Slot{}
	for _, s := range slots {
		out[s.Weekday] = append(out[s.Weekday], s)
	}
	return out
}
