/**
 * Name pools for the demo people and places. Every person and place is fictional; heritage groups
 * only make names and spoken languages go together plausibly.
 */

const words = (text: string): string[] => text.split(" ");

export interface Heritage {
  weight: number;
  female: string[];
  male: string[];
  family: string[];
  /** A language other than English that people of this group often speak, and how often. */
  language?: { code: string; physician: number; patient: number };
}

export const HERITAGES: Heritage[] = [
  {
    weight: 44,
    female: words(
      "Emily Sarah Jessica Ashley Hannah Olivia Grace Megan Lauren Rachel Claire Abigail Natalie Katherine Brianna Jasmine Kayla Morgan Allison Diane Ruth Margaret Evelyn Shirley Tamika Keisha",
    ),
    male: words(
      "James Michael Robert David William Thomas Daniel Matthew Andrew Joshua Ryan Benjamin Nathan Samuel Tyler Brandon Jacob Ethan Caleb Marcus Gerald Walter Harold Darnell Terrence Andre",
    ),
    family: words(
      "Smith Johnson Williams Brown Jones Miller Davis Wilson Anderson Taylor Thomas Moore Jackson White Harris Martin Thompson Clark Lewis Walker Hall Allen Young King Wright Scott Green Baker Adams Nelson Carter Mitchell Roberts Turner Phillips Campbell Parker Evans Edwards Collins Stewart Morris Murphy Cook Rogers Bailey Reed Kelly Howard Brooks",
    ),
  },
  {
    weight: 22,
    female: words(
      "María Sofía Valentina Camila Lucía Isabella Gabriela Daniela Ana Carmen Rosa Alejandra Inés Paola Adriana Mariana",
    ),
    male: words(
      "José Luis Carlos Juan Miguel Alejandro Diego Javier Andrés Mateo Santiago Ricardo Fernando Rafael Eduardo Héctor",
    ),
    family: words(
      "García Rodríguez Martínez Hernández López González Pérez Sánchez Ramírez Torres Flores Rivera Gómez Díaz Reyes Morales Cruz Ortiz Gutiérrez Chávez Ramos Vargas Castillo Mendoza Ruiz Álvarez",
    ),
    language: { code: "es", physician: 0.7, patient: 0.45 },
  },
  {
    weight: 7,
    female: words("Mei Li Xiu Ying Jing Lan Hui Xin Yan Qing"),
    male: words("Wei Jun Hao Ming Lei Jian Bo Tao Yong Zhen"),
    family: words("Chen Wang Li Zhang Liu Yang Huang Zhao Wu Zhou Xu Lin"),
    language: { code: "zh", physician: 0.6, patient: 0.4 },
  },
  {
    weight: 4,
    female: words("Linh Mai Thảo Hương Ngọc Trang Hoa Thu"),
    male: words("Minh Tuấn Huy Dũng Quang Khoa Long Nam"),
    family: words("Nguyen Tran Le Pham Hoang Vo Dang Bui Do Huynh"),
    language: { code: "vi", physician: 0.6, patient: 0.45 },
  },
  {
    weight: 4,
    female: words("Fatima Layla Amira Noor Yasmin Rania Salma Huda"),
    male: words("Omar Ahmed Yusuf Khalid Karim Tariq Samir Hassan"),
    family: words("Haddad Khalil Nasser Mansour Saleh Hamdan Farah Aziz Darwish Najjar"),
    language: { code: "ar", physician: 0.6, patient: 0.35 },
  },
  {
    weight: 3,
    female: words("Camille Élodie Chloé Margaux Nadège Solène Fabienne Guerda"),
    male: words("Julien Mathieu Étienne Olivier Rémi Jean-Luc Wilner Pierre"),
    family: words("Dubois Lefebvre Moreau Laurent Girard Bertrand Joseph Pierre-Louis Fontaine"),
    language: { code: "fr", physician: 0.6, patient: 0.3 },
  },
  {
    weight: 8,
    female: words("Priya Ananya Kavya Divya Meera Neha Pooja Shreya"),
    male: words("Arjun Rahul Vikram Rohan Sanjay Amit Nikhil Karthik"),
    family: words("Patel Shah Reddy Iyer Gupta Rao Desai Mehta Kumar Nair"),
    language: { code: "hi", physician: 0.3, patient: 0.15 },
  },
  {
    weight: 3,
    female: words("Ji-woo Min-ji Seo-yeon Hye-jin Eun-ji Su-bin"),
    male: words("Min-jun Ji-ho Hyun-woo Dong-hyun Jae-won Sung-min"),
    family: words("Kim Lee Park Choi Jung Kang Yoon Han"),
    language: { code: "ko", physician: 0.5, patient: 0.35 },
  },
];

export const STREET_NAMES = words(
  "Linden Oak Maple Cedar Magnolia Willow Harbor Lakeview Ridge Meadow Riverside Church Mill Park Sycamore Chestnut Elm Hillcrest Sunset Orchard Poplar Birch Spring Forest Highland Bayshore Jefferson Madison Monroe Franklin Washington Lincoln Garfield Dogwood Laurel Holly Cypress Juniper Aspen Mesa",
);
export const STREET_SUFFIXES = words("Ave St Rd Blvd Ln Dr Way Ct Pkwy Pl");

/** Fictional insurers (Medicare and Medicaid are the public programmes). */
export const PAYERS: Array<{ name: string; prefix: string }> = [
  { name: "Evergreen Health Plan", prefix: "EHP" },
  { name: "Bluewater Mutual", prefix: "BWM" },
  { name: "Summit Care Alliance", prefix: "SCA" },
  { name: "Harborline Health", prefix: "HLH" },
  { name: "Medicaid", prefix: "MCD" },
  { name: "Medicare", prefix: "MCR" },
];

/** Words in the hospital's vocabulary for step-free access and similar needs. */
export const PATIENT_ACCESSIBILITY_NEEDS = [
  "wheelchair_accessible",
  "step_free_access",
  "hearing_loop",
  "sign_language_interpreter",
  "braille_signage",
  "quiet_room",
];

/** ASCII for e-mail addresses: "José Pérez" becomes "jose.perez". */
export function asciiSlug(text: string): string {
  return text
    .normalize("NFD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "");
}
